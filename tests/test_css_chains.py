"""CSS chains heal where they broke: the renamed id, class or attribute value inside the chain
is re-fitted and the rest of the chain kept; never a heal to an element the chain did not mean."""

from __future__ import annotations

import pytest

from agent_engine.fix.css import join_chain, parse_compound, split_chain
from agent_engine.fix.healer import heal_locator

# An htmx-style inventory page: tables driven by CSS chains, rows with hx- attributes.
INVENTORY = """<html><body>
<header id="top"><a href="/">Stock</a></header>
<section id="items-section" class="panel">
  <h2>Items</h2>
  <table class="grid"><tbody>
    <tr><td>Bolts</td><td><a href="#" hx-put="/items/3/" class="btn edit">Edit</a></td></tr>
    <tr><td>Nuts</td><td><a href="#" hx-put="/items/4/" class="btn edit">Edit</a></td></tr>
  </tbody></table>
</section>
<section id="archive" class="panel">
  <table class="grid"><tbody><tr><td>Old</td><td>-</td></tr></tbody></table>
</section>
<ul class="task-list"><li class="item"><span>Write</span><button class="remove">x</button></li></ul>
</body></html>"""


@pytest.mark.parametrize(
    ("selector", "compounds", "combinators"),
    [
        ("#a table tbody tr td", ["#a", "table", "tbody", "tr", "td"], [" "] * 4),
        ("div>a.b", ["div", "a.b"], [">"]),
        ("ul  >  li + li ~ li", ["ul", "li", "li", "li"], [">", "+", "~"]),
        ('a[title="x y > z"] b', ['a[title="x y > z"]', "b"], [" "]),
        ("li:nth-child(2 ) a", ["li:nth-child(2 )", "a"], [" "]),
    ],
)
def test_a_chain_splits_into_compounds_and_combinators(
    selector: str, compounds: list[str], combinators: list[str]
) -> None:
    assert split_chain(selector) == (compounds, combinators)
    assert split_chain(join_chain(compounds, combinators)) == (compounds, combinators)


@pytest.mark.parametrize("selector", ["a, b", "> a", "a >", 'a[x="1"', "a (b"])
def test_a_selector_list_or_broken_text_is_not_split(selector: str) -> None:
    assert split_chain(selector) is None


def test_a_compound_reads_its_parts() -> None:
    compound = parse_compound('a#go.btn.edit[hx-put="/items/3/"][disabled]:first-child')
    assert compound is not None
    assert (compound.tag, compound.id, compound.classes) == ("a", "go", ("btn", "edit"))
    assert compound.attrs == (("hx-put", "=", "/items/3/"), ("disabled", "", ""))
    assert compound.render() == 'a#go.btn.edit[hx-put="/items/3/"][disabled]:first-child'
    assert parse_compound("a#one#two") is None
    assert parse_compound("a@b") is None


@pytest.mark.parametrize(
    ("original", "action", "expected"),
    [
        # the id at the head of the chain was renamed: the rest of the chain is kept
        (
            'page.locator("#list-section table tbody tr td")',
            "to_have_count",
            'locator("#items-section table tbody tr td")',
        ),
        # an attribute value in the last compound changed (the row's URL)
        (
            """page.locator('#items-section a[hx-put="/item/3"]')""",
            "click",
            """locator('#items-section a[hx-put="/items/3/"]')""",
        ),
        # a class in the middle was renamed
        (
            'page.locator(".todo-list li.item button.remove")',
            "click",
            'locator(".task-list li.item button.remove")',
        ),
        # the tail (nth) is kept, and so is the step before the chain
        (
            'page.locator("#top").locator("nav a").first',
            "click",
            "",
        ),
    ],
)
def test_a_chain_heals_where_it_broke(original: str, action: str, expected: str) -> None:
    heal = heal_locator(original, action, INVENTORY)
    if expected:
        assert (heal.outcome, heal.replacement) == ("healed", expected), heal.reason
    else:
        assert heal.outcome != "healed", heal.replacement


def test_a_renamed_id_never_heals_to_a_bare_cell_elsewhere() -> None:
    """The chain's head is gone and nothing resembles it: abstain (the old healer kept only
    the last compound, `td`, and picked an unrelated cell)."""
    page = INVENTORY.replace('id="items-section"', "").replace('id="archive"', "")
    heal = heal_locator('page.locator("#list-section table tbody tr td")', "click", page)
    assert heal.outcome.startswith("abstain"), heal.replacement


def test_two_rows_alike_are_ambiguous_and_a_click_needs_one_element() -> None:
    # both rows' links resemble the old URL equally: no single answer
    heal = heal_locator(
        """page.locator('#items-section a[hx-put="/item/5"]')""", "click", INVENTORY
    )
    assert heal.outcome.startswith("abstain"), heal.replacement
    # a click through a chain that now selects every row is not a heal
    heal = heal_locator('page.locator("#list-section td a.edit")', "click", INVENTORY)
    assert heal.outcome.startswith("abstain"), heal.replacement
    # counting them is
    heal = heal_locator('page.locator("#list-section td a.edit")', "toHaveCount", INVENTORY)
    assert heal.replacement == 'locator("#items-section td a.edit")'


def test_a_removed_element_at_the_end_of_the_chain_abstains() -> None:
    heal = heal_locator('page.locator("#items-section a.delete-row")', "click", INVENTORY)
    assert heal.outcome.startswith("abstain"), heal.replacement
