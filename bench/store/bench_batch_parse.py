"""What the writer's batch parser (store.batches.parse_batch) saves against FastStream's own: the CPU
per article from a batch read, as Redis hands it over, to validated ArticleExtracted messages.

    python bench/store/bench_batch_parse.py [--batch 125] [--rounds 30] [--words 180 600]

No Redis or database: the entries are framed as a FastStream producer frames them. Before 2026-12-07
FastStream's batch parser decoded each entry's JSON, dumped the batch as one JSON array, its decoder
loaded that array again, and the handler loaded it a third time before validating each dict. Now each
entry is unframed and validated from its JSON once (`model_validate_json`). The two run alternately,
so the machine's drift touches both alike; prints ms per article for each and the ratio of the sums.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import generated_articles  # noqa: E402
from fast_depends.pydantic import PydanticSerializer  # noqa: E402
from faststream.message import decode_message  # noqa: E402
from faststream.redis.parser import BinaryMessageFormatV1  # noqa: E402
from faststream.redis.parser.parsers import FAKE_CONSUMER, RedisBatchStreamParser, SimpleParserConfig  # noqa: E402
from newsflow_shared.contracts.extracted_articles import ArticleExtracted  # noqa: E402
from store.batches import accept, entries_of, no_body, parse_batch  # noqa: E402


async def batch_read(messages: list[ArticleExtracted]) -> dict:
    """The batch as FastStream's subscriber receives it from XREADGROUP."""
    serializer = PydanticSerializer()
    data = [{b"__data__": await BinaryMessageFormatV1.encode(message=m, reply_to=None, headers=m.headers(),
                                                             correlation_id=f"c{n}", serializer=serializer)}
            for n, m in enumerate(messages)]
    return {"type": "bstream", "channel": b"newsflow:articles:extracted", "data": data,
            "message_ids": [f"1700000000000-{n}".encode() for n in range(len(data))]}


def faststream_parser() -> RedisBatchStreamParser:
    parser = RedisBatchStreamParser(SimpleParserConfig(BinaryMessageFormatV1))
    parser._setup(FAKE_CONSUMER, "store")
    return parser


async def before(raw: dict, parser: RedisBatchStreamParser) -> list[ArticleExtracted]:
    """FastStream's parser and decoder, then the handler's decoding as it was before 2026-12-07."""
    msg = await parser.parse_message(raw)
    decode_message(msg)  # FastStream decodes the body for every handler call
    return [ArticleExtracted.model_validate(item) for item in json.loads(msg.body)]


async def now(raw: dict, parser: RedisBatchStreamParser) -> list[ArticleExtracted]:
    msg = await parse_batch(raw, parser.parse_message)
    await no_body(msg)
    return [accept(entry, max_message_bytes=None) for entry in entries_of(msg.raw_message)]


def with_words(messages: list[ArticleExtracted], words: int) -> list[ArticleExtracted]:
    """The generated articles with their text repeated or cut to about `words` words."""
    out = []
    for m in messages:
        tokens = m.text.split()
        text = " ".join((tokens * (words // len(tokens) + 1))[:words])
        out.append(m.model_copy(update={"text": text}))
    return out


async def measure(args: argparse.Namespace) -> None:
    parser = faststream_parser()
    for words in args.words:
        messages = with_words(generated_articles(args.batch, seed=3), words)
        raw = await batch_read(messages)
        assert await before(raw, parser) == await now(raw, parser) == messages
        size = sum(len(fields[b"__data__"]) for fields in raw["data"]) / len(messages)
        spent = {before: 0.0, now: 0.0}
        for round_ in range(args.rounds):
            for side in (before, now) if round_ % 2 == 0 else (now, before):
                started = time.perf_counter()
                await side(raw, parser)
                spent[side] += time.perf_counter() - started
        per_article = {side: 1000 * s / (args.rounds * args.batch) for side, s in spent.items()}
        print(f"~{words} words ({size / 1000:.1f} KB an entry), batch {args.batch}, {args.rounds} rounds: "
              f"before {per_article[before]:.3f} ms/article, now {per_article[now]:.3f}; "
              f"now / before {spent[now] / spent[before]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=125)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--words", type=int, nargs="+", default=[180, 600])
    asyncio.run(measure(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
