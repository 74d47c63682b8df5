"""A joint-review delegate (Y-06) acting for a bank sees what its seat needs, and nothing else.

The panelist role is Yanqing's, not one the core knew; the core's rule scopes any user whose
token names an institution to that institution unless a role explicitly sees the whole
tenant, so a bank's delegate cannot read another bank's loans or firms through it.
"""

from __future__ import annotations

from yanqing_steps import YQ, firm, graded_firm, prescreen, recommend, register_loan


def test_Y06_a_banks_delegate_reads_the_reviews_it_sits_on_not_other_banks_loans(yq):
    api, program, insts = yq
    office = api.as_("office")
    office.ok("POST", "/institutions", {"code": "yq-bank-2", "name": "B2", "kind": "bank"}, 201)
    graded, _ = graded_firm(api, program, insts, 60, "medium")
    loan = register_loan(api, graded, insts, "L-bank-1")
    under_review = prescreen(api, recommend(api, program, firm(api, 61)))
    delegate = api.as_("panelist", user="delegate-b2", institution="yq-bank-2")

    # Another bank's loans and firms are out of sight.
    assert delegate.ok("GET", "/loans") == []
    assert delegate.get(f"/loans/{loan['id']}").status_code == 404
    # The joint reviews it may sit on are in sight, and it can vote on them.
    listed = delegate.ok("GET", f"{YQ}/programs/{program['id']}/recommendations")
    assert [r["id"] for r in listed] == [under_review["id"]]
    vote_body = {"seat": "bank", "grade": "medium", "opinion": "bank: medium"}
    delegate.ok("POST", f"{YQ}/recommendations/{under_review['id']}/votes", vote_body)
    # The first bank's own delegate still sees its own loan.
    own = api.as_("panelist", user="delegate-bank", institution="yq-bank")
    assert [x["id"] for x in own.ok("GET", "/loans")] == [loan["id"]]
