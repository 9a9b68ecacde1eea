"""store.locks: keys fold into a bounded number of advisory-lock slots, alike in every writer."""

from store.locks import LOCK_SLOTS, lock_slot, lock_slots


def test_a_batch_of_any_size_takes_at_most_lock_slots_locks_each_once_in_order() -> None:
    keys = [f"term:word{n}" for n in range(20_000)]  # a batch of 1,000 articles looks up ~13,000
    slots = lock_slots(keys + keys[:500])
    assert len(slots) <= LOCK_SLOTS
    assert slots == sorted(set(slots))
    assert all(0 <= slot < LOCK_SLOTS for slot in slots)


def test_a_key_has_one_slot_whatever_the_process_and_keys_spread_over_the_slots() -> None:
    assert lock_slot("entity:Kursk") == lock_slot("entity:Kursk")
    assert lock_slots(["entity:Kursk", "term:deminer"]) == sorted({lock_slot("entity:Kursk"), lock_slot("term:deminer")})
    # A batch of 250 articles (~3,300 keys) leaves few slots free; a handful of articles leaves most free.
    assert len(lock_slots(f"term:w{n}" for n in range(3_300))) > 0.9 * LOCK_SLOTS
    assert len(lock_slots(f"term:w{n}" for n in range(40))) >= 38
