"""Discord's hybrid commands are the core's registry: none forgotten, none invented, and the
"/" menu says exactly what the registry declares."""

import inspect

from discord import AppCommandOptionType

from bot.adapters.discord.client import ExamplesCog
from bot.core.commands import registry

TYPES = {"number": AppCommandOptionType.integer}


def hybrid_commands() -> dict:
    return {command.name: command for command in ExamplesCog.__cog_commands__}


def test_every_core_command_is_on_discord_and_nothing_else() -> None:
    assert set(hybrid_commands()) == {command.name for command in registry()}


def test_the_slash_menu_shows_the_registry_texts_and_flags() -> None:
    on_discord = hybrid_commands()
    for command in registry():
        hybrid = on_discord[command.name]
        slash = hybrid.app_command
        assert slash.description == command.menu_description, command.name
        assert sorted(hybrid.aliases) == sorted(command.aliases), command.name
        assert [(p.name, p.description, p.required) for p in slash.parameters] == [
            (p.name, p.description, p.required) for p in command.params], command.name
        for param, option in zip(command.params, slash.parameters, strict=True):
            assert option.type == TYPES.get(param.kind, AppCommandOptionType.string)
            assert option.autocomplete == (param.kind.startswith("facet:")
                                           or param.kind == "example_id"), option.name
        # typed commands: a "rest" parameter takes the rest of the line
        typed = list(hybrid.clean_params.values())
        assert [p.kind == inspect.Parameter.KEYWORD_ONLY for p in typed] == [
            p.kind == "rest" for p in command.params], command.name
        hidden = slash.default_permissions is not None and slash.default_permissions.manage_guild
        assert hidden == command.admin and slash.guild_only == command.admin, command.name
