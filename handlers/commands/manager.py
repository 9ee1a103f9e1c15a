"""`/status help` and `/status my`."""

from __future__ import annotations

from bot.blocks import kit, limits
from bot.blocks.messages import open_items_blocks
from bot.blocks.text import escape
from bot.delivery.surfaces import current_cycles_for, cycle_header, items_for
from bot.i18n import translator
from handlers.commands.registry import CommandCall, Reply, Subcommand, listed, subcommand


def N_(text: str) -> str:  # marks a msgid for extraction; translated when shown
    return text


@subcommand("help", usage="/status help", summary=N_("this list"), aliases=("hjælp", "?"))
def show_help(call: CommandCall) -> Reply:
    _ = call.who._

    def summary(sub: Subcommand) -> str:
        if sub.domain == "slack":
            return _(sub.summary)
        return translator(sub.domain, call.who.viewer.locale).gettext(sub.summary)

    lines = ["*" + _("statusbot commands") + "*"]
    for sub in listed():
        if not sub.coordinators:
            lines.append(f"• `{sub.usage}` — {summary(sub)}")
    lines.append("*" + _("For coordinators") + "*")
    for sub in listed():
        if sub.coordinators:
            lines.append(f"• `{sub.usage}` — {summary(sub)}")
    lines.append(_("You can also answer with the buttons in my messages, or in the App Home tab."))
    text = "\n".join(lines)
    return Reply(text=text, blocks=[kit.section(text)])


@subcommand(
    "my", usage="/status my", summary=N_("your open initiatives, with buttons"), aliases=("mine",)
)
def my_items(call: CommandCall) -> Reply:
    _ = call.who._
    person = call.who.require_person()
    blocks: list[kit.Block] = []
    total_open = 0
    for cycle in current_cycles_for(call.session, person):
        items = [i for i in items_for(call.session, cycle, person, call.now) if not i.answered]
        if not items:
            continue
        total_open += len(items)
        header = cycle_header(call.session, cycle)
        blocks.append(
            kit.section(
                _("*{area}* — deadline {deadline}").format(
                    area=escape(header.area),
                    deadline=kit.fmt_datetime(
                        header.deadline, call.who.viewer.tz, call.who.viewer.locale
                    ),
                )
            )
        )
        room = limits.MESSAGE_MAX_BLOCKS - len(blocks) - 1
        if room < 5:
            break
        blocks.extend(open_items_blocks(items, call.who.viewer, _, max_blocks=room))
    if not total_open:
        text = _("You have no open initiatives right now. :white_check_mark:")
        return Reply(text=text, blocks=[kit.section(text)])
    text = _("You have {count} open initiative(s).").format(count=total_open)
    return Reply(text=text, blocks=[kit.section(text), *blocks][: limits.MESSAGE_MAX_BLOCKS])
