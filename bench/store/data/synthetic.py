"""Short synthetic-but-realistic articles for the labelled set: other events, several of them near misses
of the demo's stories (another wildfire, another central bank, another antitrust case, another mayor).

    python bench/store/data/synthetic.py > bench/store/data/synthetic.jsonl
"""

import json

A = []


def art(story, source, published, title, text):
    A.append({"id": f"{source}/{story}-{len([a for a in A if a['story'] == story]) + 1}", "title": title,
              "text": text, "published": published, "source": source, "story": story})


# North Korea, but a missile test: shares actors with the Kursk story, not the event.
art("nk-missile-test", "capital-wire", "2025-06-18T02:10:00+00:00",
    "North Korea fires ballistic missile into the sea off its east coast",
    "North Korea fired a short-range ballistic missile into the sea off its east coast early on Wednesday, "
    "South Korea's Joint Chiefs of Staff said. The missile flew about 350 kilometres before falling outside "
    "Japan's exclusive economic zone. Tokyo lodged a protest through diplomatic channels. It was the third "
    "launch this month, and analysts said Pyongyang was testing a new solid-fuel engine.")
art("nk-missile-test", "meridian-post", "2025-06-18T04:30:00+00:00",
    "Pyongyang launches third missile this month as Seoul and Tokyo protest",
    "Pyongyang launched a short-range ballistic missile on Wednesday morning, the third such test in June. "
    "Seoul's military said the missile travelled roughly 350 km and splashed down in the East Sea. Japan's "
    "defence ministry said no damage to ships or aircraft was reported. Experts believe the test involved a "
    "solid-fuel engine that is faster to launch.")
art("nk-missile-test", "harbor-ledger", "2025-06-18T09:00:00+00:00",
    "Kim's latest missile launch rattles Japan as solid-fuel program advances",
    "Kim Jong Un's regime fired another ballistic missile on Wednesday, sending it some 350 kilometres toward "
    "the waters between the Korean peninsula and Japan. South Korea's Joint Chiefs said the launch came from "
    "near Pyongyang. It is North Korea's third missile test this month, and Japan called it a grave threat.")

# A second wildfire, in another county: near miss of Cedar Hollow.
art("ember-ridge-fire", "frontier-daily", "2025-06-19T15:00:00+00:00",
    "Ember Ridge fire grows to 4,000 acres in Sutter County, 600 homes evacuated",
    "A fast-moving wildfire near Ember Ridge in Sutter County grew to 4,000 acres on Thursday, forcing the "
    "evacuation of about 600 homes. Fire crews said the blaze was 5% contained. Cal Fire assigned 300 "
    "firefighters and six helicopters. The fire started on Wednesday near a quarry road; its cause is unknown.")
art("ember-ridge-fire", "lakeside-times", "2025-06-19T19:20:00+00:00",
    "Residents of Ember Ridge flee as Sutter County blaze jumps the river",
    "Hundreds of families in Ember Ridge left their homes on Thursday after a wildfire jumped the Feather "
    "River and spread to 4,000 acres. Sutter County sheriff's deputies went door to door. About 600 homes are "
    "under evacuation orders, and an evacuation centre opened at the Yuba fairgrounds.")
art("ember-ridge-fire", "capital-wire", "2025-06-20T08:00:00+00:00",
    "Sutter County fire near Ember Ridge now 20% contained after cooler night",
    "Firefighters gained ground overnight on the Ember Ridge fire in Sutter County, which has burned about "
    "4,300 acres and is 20% contained, officials said on Friday. Evacuation orders for 600 homes remain. "
    "No structures have been lost, and investigators are looking at equipment use near a quarry road.")

# Another central bank, holding rather than cutting: near miss of the Reserve Board cut.
art("westmark-bank-holds", "capital-wire", "2025-06-19T11:00:00+00:00",
    "Bank of Westmark holds rates at 4.5% as inflation stays above target",
    "The Bank of Westmark left its policy rate unchanged at 4.5% on Thursday, saying inflation of 3.4% was "
    "still too high to begin easing. Governor Helena Brandt said the board voted unanimously. Markets had "
    "priced a small chance of a cut. The Westmark krona rose 0.6% against the dollar after the decision.")
art("westmark-bank-holds", "meridian-post", "2025-06-19T13:30:00+00:00",
    "Westmark central bank keeps borrowing costs on hold, disappointing homeowners",
    "Homeowners in Westmark will wait longer for relief after the Bank of Westmark kept its key rate at 4.5%. "
    "Governor Helena Brandt said inflation, at 3.4%, must fall further before the bank can lower borrowing "
    "costs. Mortgage lenders said fixed rates were unlikely to move this summer.")
art("westmark-bank-holds", "harbor-ledger", "2025-06-19T16:45:00+00:00",
    "Brandt stands firm: Bank of Westmark refuses to cut despite slowing economy",
    "Bank of Westmark governor Helena Brandt resisted pressure from ministers and kept rates at 4.5% on "
    "Thursday. The unanimous decision came as Westmark's economy grew just 0.1% in the first quarter. Brandt "
    "said a premature cut would risk letting 3.4% inflation become entrenched.")

# Antitrust, but a blocked merger of other companies: near miss of the Lumora ruling.
art("veltrix-merger-blocked", "meridian-post", "2025-06-17T12:00:00+00:00",
    "Competition authority blocks Veltrix's $9 billion takeover of Omnicart",
    "The national competition authority on Tuesday blocked Veltrix's planned $9 billion acquisition of online "
    "grocer Omnicart, saying the deal would leave shoppers with fewer choices and higher delivery fees. "
    "Veltrix said it would appeal. The authority found the combined company would control 60% of grocery "
    "deliveries in large cities.")
art("veltrix-merger-blocked", "capital-wire", "2025-06-17T14:40:00+00:00",
    "Veltrix-Omnicart deal blocked over grocery delivery dominance; Veltrix to appeal",
    "Regulators rejected the $9 billion Veltrix-Omnicart merger on Tuesday. The competition authority said "
    "the companies together would hold about 60% of urban grocery delivery. Veltrix shares fell 4% and "
    "Omnicart shares dropped 18%. Veltrix chief executive Paul Renner said the company would challenge the "
    "ruling in court.")
art("veltrix-merger-blocked", "frontier-daily", "2025-06-18T07:15:00+00:00",
    "Bureaucrats kill Omnicart deal, and shoppers will pay for it, Veltrix says",
    "Veltrix executives blasted the competition authority's decision to block the $9 billion purchase of "
    "Omnicart. The company argued that the merger would have cut delivery costs. Omnicart's stock lost 18% "
    "after the ruling, and Veltrix said it would appeal within 30 days.")

# Another city's mayor, facing a recall: near miss of the Port Calloway election.
art("harwick-mayor-recall", "northwind-herald", "2025-06-16T20:00:00+00:00",
    "Harwick voters recall Mayor Tom Beale over budget scandal",
    "Voters in Harwick recalled Mayor Tom Beale on Monday, with 58% backing his removal, after an audit found "
    "$3 million in city funds had been spent on contracts awarded without bidding. Council president Irene "
    "Voss will serve as acting mayor until a special election in September. Beale said he accepted the result.")
art("harwick-mayor-recall", "harbor-ledger", "2025-06-17T06:30:00+00:00",
    "Harwick ousts Beale in recall; Voss to lead city until September",
    "Harwick's recall of Mayor Tom Beale passed with 58% of the vote. The recall campaign began after the "
    "city auditor reported $3 million in no-bid contracts. Irene Voss, the council president, becomes acting "
    "mayor. A special election is scheduled for September 14.")

# Unrelated events.
art("talis-ferry-capsize", "capital-wire", "2025-06-20T05:00:00+00:00",
    "Ferry capsizes off Talis Island, at least 23 dead and dozens missing",
    "A passenger ferry capsized in rough seas off Talis Island late on Thursday, killing at least 23 people, "
    "the coast guard said. The MV Seraphine was carrying about 180 passengers and crew, more than its "
    "licensed capacity of 150. Rescuers pulled 121 people from the water, and 36 remain missing. The ferry "
    "had left Port Amara two hours earlier bound for the island's main harbour. Survivors said the vessel "
    "listed sharply after a large wave struck its side. The transport ministry has opened an investigation "
    "into the operator, which was fined last year for overloading.")
art("talis-ferry-capsize", "lakeside-times", "2025-06-20T07:30:00+00:00",
    "Families wait at Port Amara as search for Seraphine ferry survivors continues",
    "Relatives gathered at Port Amara on Friday as divers searched for 36 people still missing after the "
    "ferry Seraphine capsized off Talis Island. At least 23 people died. The coast guard said the ferry was "
    "overloaded, carrying about 180 people when it was licensed for 150.")
art("talis-ferry-capsize", "frontier-daily", "2025-06-20T10:00:00+00:00",
    "Overloaded Talis ferry had been fined before; 23 confirmed dead",
    "The operator of the Seraphine, the ferry that capsized off Talis Island killing at least 23, was fined "
    "last year for carrying too many passengers, records show. The ship had 180 people aboard against a "
    "capacity of 150. The coast guard says 36 people are unaccounted for.")
# A wire copy of the first ferry report, republished word for word by another outlet.
art("talis-ferry-capsize", "meridian-post", "2025-06-20T05:40:00+00:00",
    "Ferry capsizes off Talis Island; at least 23 dead",
    A[-3]["text"])

art("marrow-earthquake", "meridian-post", "2025-06-21T03:00:00+00:00",
    "Magnitude 6.4 earthquake strikes Marrow province, killing at least 41",
    "A magnitude 6.4 earthquake struck the mountainous Marrow province before dawn on Saturday, killing at "
    "least 41 people and injuring more than 300, the disaster agency said. The quake's epicentre was 12 km "
    "from the town of Kessar. Landslides blocked the main road into the valley, slowing rescue teams.")
art("marrow-earthquake", "capital-wire", "2025-06-21T06:10:00+00:00",
    "Rescuers dig through rubble in Kessar after 6.4 quake; death toll rises to 41",
    "Rescue workers in Kessar searched collapsed homes on Saturday after a 6.4-magnitude earthquake hit "
    "Marrow province. The disaster agency put the death toll at 41, with 312 injured. Aftershocks of up to "
    "magnitude 4.8 rattled the region, and landslides cut the road to the valley.")
art("marrow-earthquake", "northwind-herald", "2025-06-21T12:00:00+00:00",
    "Marrow quake: aid convoys reach Kessar as government declares emergency",
    "The government declared a state of emergency in Marrow province after Saturday's magnitude 6.4 "
    "earthquake, which killed at least 41 people. Army engineers cleared a landslide on the Kessar road, "
    "letting the first aid convoys through with tents, water and medical supplies.")

art("brenford-teachers-strike", "lakeside-times", "2025-06-16T08:00:00+00:00",
    "Brenford teachers walk out over pay, closing 140 schools",
    "Teachers in Brenford went on strike on Monday, closing 140 schools, after talks with the district over "
    "a pay rise broke down. The Brenford Teachers Union is asking for 9% over two years; the district has "
    "offered 4%. Union president Carla Mendes said the strike would continue until a fair offer was made.")
art("brenford-teachers-strike", "frontier-daily", "2025-06-16T12:30:00+00:00",
    "Parents scramble as Brenford teachers strike; union demands 9% raise",
    "Working parents in Brenford scrambled for childcare on Monday as a teachers' strike shut 140 schools. "
    "The union wants a 9% raise over two years, more than double the district's 4% offer. District officials "
    "called the demand unaffordable.")
art("brenford-teachers-strike", "northwind-herald", "2025-06-17T09:00:00+00:00",
    "Second day of Brenford school strike as mediator is appointed",
    "Brenford's 140 public schools stayed closed for a second day on Tuesday. The state appointed a mediator "
    "to restart talks between the district, which offers 4%, and the teachers' union, which asks 9%. Union "
    "leader Carla Mendes said teachers were ready to meet.")

art("calderon-rsv-vaccine", "capital-wire", "2025-06-17T16:00:00+00:00",
    "Regulator approves Calderon Pharma's RSV vaccine for infants",
    "The medicines regulator on Tuesday approved Calderon Pharma's vaccine against respiratory syncytial "
    "virus for infants up to eight months old. In trials of 7,000 babies, the shot cut hospital admissions "
    "for RSV by 77%. Calderon said doses would be available before the winter season.")
art("calderon-rsv-vaccine", "meridian-post", "2025-06-17T18:20:00+00:00",
    "New RSV shot for babies cleared after trial shows 77% fewer hospitalisations",
    "Paediatricians welcomed the approval of Calderon Pharma's infant RSV vaccine, which reduced "
    "hospitalisations by 77% in a trial involving 7,000 infants. RSV is the leading cause of hospital stays "
    "for babies in winter. The company plans to ship doses this autumn.")

art("redhaven-cup-final", "frontier-daily", "2025-06-15T21:30:00+00:00",
    "Redhaven United beat Castlebrook 2-1 to win the National Cup",
    "Redhaven United won the National Cup on Sunday, beating Castlebrook 2-1 in front of 80,000 fans. "
    "Striker Leo Marsh scored the winner in the 88th minute with a header. It is Redhaven's first cup title "
    "since 1994. Castlebrook had equalised through a penalty just after half-time.")
art("redhaven-cup-final", "lakeside-times", "2025-06-15T22:10:00+00:00",
    "Marsh's late header ends Redhaven's 31-year wait for the cup",
    "Leo Marsh headed in an 88th-minute winner as Redhaven United beat Castlebrook 2-1 in the National Cup "
    "final. The victory ended a 31-year wait for a trophy. Castlebrook manager Ivo Petrov said his side had "
    "been undone by a moment of brilliance.")
art("redhaven-cup-final", "northwind-herald", "2025-06-16T08:00:00+00:00",
    "Redhaven celebrates cup win with open-top bus parade",
    "Thousands of Redhaven United supporters lined the streets on Monday for an open-top bus parade after "
    "the club's 2-1 National Cup final win over Castlebrook. Match-winner Leo Marsh lifted the trophy on the "
    "steps of the town hall.")

art("valdoria-heatwave", "meridian-post", "2025-06-20T14:00:00+00:00",
    "Valdoria records 44.1C as heatwave breaks national temperature record",
    "Valdoria recorded a temperature of 44.1C on Friday, the highest since records began, as a heatwave "
    "gripped the south of the country. The weather service issued red warnings for 12 regions. Hospitals "
    "reported a rise in heatstroke cases, and authorities opened cooling centres in public libraries.")
art("valdoria-heatwave", "capital-wire", "2025-06-20T17:00:00+00:00",
    "Heat record falls in Valdoria at 44.1C; red alerts in 12 regions",
    "A new national heat record of 44.1 degrees Celsius was set in Valdoria on Friday. Twelve regions are "
    "under red alerts, and the health ministry urged people to avoid going outside in the afternoon. "
    "Electricity demand hit a record as air conditioners ran across the south.")

art("millbrook-derailment", "harbor-ledger", "2025-06-18T23:00:00+00:00",
    "Freight train derails near Millbrook, spilling chemicals; 2,000 told to evacuate",
    "A freight train carrying industrial chemicals derailed near Millbrook on Wednesday night, and about "
    "2,000 residents were ordered to evacuate. Twenty-two of the train's 95 cars left the tracks, and three "
    "tank cars leaked vinyl chloride, the rail operator said. No injuries were reported.")
art("millbrook-derailment", "northwind-herald", "2025-06-19T07:40:00+00:00",
    "Millbrook derailment: tank cars leaked vinyl chloride, investigators say",
    "Federal investigators arrived in Millbrook on Thursday to examine the derailment of a 95-car freight "
    "train, 22 cars of which came off the rails. Three tank cars leaked vinyl chloride, and the evacuation "
    "order for 2,000 residents remains in place while air quality is tested.")
art("millbrook-derailment", "lakeside-times", "2025-06-19T12:15:00+00:00",
    "Millbrook residents demand answers after toxic train spill",
    "Evacuated Millbrook residents packed a school gym on Thursday to question the rail operator about the "
    "derailment that spilled vinyl chloride from three tank cars. About 2,000 people have been out of their "
    "homes since Wednesday night.")

art("tessaron-chip-plant", "capital-wire", "2025-06-19T10:00:00+00:00",
    "Tessaron to build $20 billion chip plant in Oakridge, creating 3,000 jobs",
    "Chipmaker Tessaron will build a $20 billion semiconductor factory in Oakridge, the company said on "
    "Thursday, creating about 3,000 permanent jobs. Construction will start next year, with production of "
    "advanced processors expected in 2028. The state offered $1.5 billion in tax incentives.")
art("tessaron-chip-plant", "frontier-daily", "2025-06-19T15:30:00+00:00",
    "Oakridge lands Tessaron's $20 billion fab; critics question $1.5 billion in tax breaks",
    "Tessaron's decision to put a $20 billion chip fab in Oakridge was hailed by the governor, but critics "
    "said the $1.5 billion in tax incentives was too generous. The company promises 3,000 jobs once the "
    "plant opens in 2028.")

# A wire copy of Capital Wire's Kursk report on a sixth outlet: a syndicated near-duplicate.
A.append({"id": "lakeside-times/kursk-wire-copy", "title": None, "text": None, "published":
          "2025-06-17T12:30:00+00:00", "source": "lakeside-times", "story": "north-korea-kursk-engineers",
          "copy_of": "capital-wire/n-korea-kursk-6000-personnel.html"})

if __name__ == "__main__":
    for article in A:
        print(json.dumps(article, ensure_ascii=False))
