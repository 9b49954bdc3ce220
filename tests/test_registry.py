"""The command registry: every command declared once, with what the "/" menus show."""

from bot.core.commands import registry


def test_every_command_is_declared_once_with_a_french_menu_text() -> None:
    commands = registry()
    names = [c.name for c in commands] + [a for c in commands for a in c.aliases]
    assert len(names) == len(set(names))
    for command in commands:
        assert 0 < len(command.menu_description) <= 100, command.name
        assert command.menu_description.startswith("Admin : ") == command.admin
        for param in command.params:
            assert param.name.isidentifier() and 0 < len(param.description) <= 100
        # a parameter taking the rest of the line comes last
        assert all(p.kind != "rest" for p in command.params[:-1]), command.name


def test_admin_commands_answer_privately_and_the_menus_read_as_before() -> None:
    by_name = {c.name: c for c in registry()}
    assert all(c.private for c in by_name.values() if c.admin)
    assert {n for n, c in by_name.items() if c.private and not c.admin} == {
        "aide", "proposer", "annuler", "mespropositions"}
    assert by_name["voir"].menu_description == "Admin : le détail d'une proposition"
    assert [(p.name, p.kind, p.required) for p in by_name["modifier"].params] == [
        ("numero", "number", True), ("modification", "rest", True)]
    assert [p.kind for p in by_name["exemple"].params] == [
        "facet:secteurs", "facet:outils", "facet:usages", "rest"]
