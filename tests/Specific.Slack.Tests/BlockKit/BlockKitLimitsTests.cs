using Specific.Slack.BlockKit;

namespace Specific.Slack.Tests.BlockKit;

public sealed class BlockKitLimitsTests
{
    [Fact]
    public void A_message_within_every_limit_has_no_errors()
    {
        var message = new SlackMessage("ok", [new HeaderBlock(new PlainText("Job")), new SectionBlock(new Mrkdwn(new string('x', 3000)))]);
        Assert.Empty(BlockKitLimits.Check(message));
    }

    [Fact]
    public void Each_broken_limit_is_named()
    {
        var tooLongButton = new ButtonElement(new PlainText(new string('b', 76)), "a", new string('v', 2001))
        {
            Confirm = new ConfirmDialog(new PlainText("t"), new PlainText(new string('c', 301)), new PlainText("y"), new PlainText("n")),
        };
        var message = new SlackMessage("", [
            new HeaderBlock(new PlainText(new string('h', 151))),
            new SectionBlock(new Mrkdwn(new string('s', 3001))) { Fields = Enumerable.Range(0, 11).Select(i => (TextObject)new Mrkdwn("f")).ToList() },
            new ContextBlock(Enumerable.Range(0, 11).Select(i => (TextObject)new Mrkdwn("c")).ToList()),
            new ActionsBlock([tooLongButton, new ButtonElement(new PlainText("again"), "a")]),
            new RichTextBlock([new RichTextPreformatted([new RichTextText(new string('p', 3001))])]),
        ]);

        var errors = BlockKitLimits.Check(message);

        Assert.Contains(errors, e => e.StartsWith("message: text fallback is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("blocks[0].text: 151 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("blocks[1].text: 3001 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("blocks[1].fields: 11 fields", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("blocks[2].elements: 11 elements", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("elements[0].text: 76 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("elements[0].value: 2001 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("confirm.text: 301 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("duplicate action_id 'a'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("preformatted text is 3001 chars", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_many_blocks_and_too_much_text_are_refused()
    {
        var blocks = Enumerable.Range(0, 51).Select(i => (Block)new SectionBlock(new Mrkdwn(new string('x', 300)))).ToList();
        var errors = BlockKitLimits.Check(new SlackMessage("t", blocks));
        Assert.Contains(errors, e => e.Contains("51 blocks", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("15300 chars of block text", StringComparison.Ordinal));
    }

    [Fact]
    public void Modal_title_and_callback_limits_are_checked()
    {
        var view = new ModalView(new PlainText(new string('t', 25)), [new InputBlock(new PlainText("x"), new PlainTextInputElement("i") { MaxLength = 3001 })])
        {
            CallbackId = new string('c', 256),
        };

        var errors = BlockKitLimits.Check(view);

        Assert.Contains(errors, e => e.StartsWith("modal.title: 25 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("modal.callback_id: 256 chars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("max_length: 3001", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("no submit button", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => BlockKitLimits.EnsureValid(view));
    }
}
