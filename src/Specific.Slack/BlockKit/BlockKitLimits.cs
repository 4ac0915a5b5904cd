namespace Specific.Slack.BlockKit;

/// <summary>
/// Slack's published Block Kit limits, and a checker that lists every way a message or modal breaks them. The
/// serializer never enforces these: renderers check themselves in tests, and the stand-in judges independently.
/// </summary>
public static class BlockKitLimits
{
    public const int MessageBlocks = 50;
    public const int ModalBlocks = 100;

    /// <summary>A Home tab holds up to 100 blocks, as a modal does.</summary>
    public const int HomeBlocks = 100;
    public const int HeaderText = 150;
    public const int SectionText = 3000;
    public const int SectionFields = 10;
    public const int SectionFieldText = 2000;
    public const int ContextElements = 10;
    public const int ActionsElements = 25;
    public const int BlockId = 255;
    public const int ActionId = 255;
    public const int ButtonText = 75;
    public const int ButtonValue = 2000;
    public const int ConfirmTitle = 100;
    public const int ConfirmText = 300;
    public const int ConfirmButton = 30;
    public const int InputLabel = 2000;
    public const int PlainTextInputMaxLength = 3000;
    public const int SelectOptions = 100;
    public const int OverflowOptions = 5;
    public const int OptionText = 75;
    public const int OptionValue = 150;
    public const int SelectPlaceholder = 150;
    public const int ModalTitle = 24;
    public const int ModalButton = 24;
    public const int CallbackId = 255;
    public const int PrivateMetadata = 3000;

    /// <summary>The fallback <c>text</c> of a message; Slack truncates beyond 40,000 characters.</summary>
    public const int MessageText = 40_000;

    /// <summary>Total text in a message's blocks above which Slack has answered msg_blocks_too_long (unconfirmed).</summary>
    public const int MessageBlocksTotalText = 13_000;

    /// <summary>Preformatted rich text shares the section's 3000 character budget in this project.</summary>
    public const int PreformattedText = 3000;

    /// <summary>Every way the message breaks a limit; empty when it is fine.</summary>
    public static IReadOnlyList<string> Check(SlackMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(message.Text))
        {
            errors.Add("message: text fallback is empty");
        }
        else if (message.Text.Length > MessageText)
        {
            errors.Add($"message: text is {message.Text.Length} chars (max {MessageText})");
        }

        var blocks = message.Blocks ?? [];
        if (blocks.Count > MessageBlocks)
        {
            errors.Add($"message: {blocks.Count} blocks (max {MessageBlocks})");
        }
        var totalText = CheckBlocks(blocks, "message", errors);
        if (totalText > MessageBlocksTotalText)
        {
            errors.Add($"message: {totalText} chars of block text (max about {MessageBlocksTotalText})");
        }
        return errors;
    }

    /// <summary>Every way the modal breaks a limit; empty when it is fine.</summary>
    public static IReadOnlyList<string> Check(ModalView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var errors = new List<string>();
        Max(errors, "modal.title", view.Title.Text, ModalTitle);
        if (view.Submit is not null) Max(errors, "modal.submit", view.Submit.Text, ModalButton);
        if (view.Close is not null) Max(errors, "modal.close", view.Close.Text, ModalButton);
        if (view.CallbackId is not null) Max(errors, "modal.callback_id", view.CallbackId, CallbackId);
        if (view.PrivateMetadata is not null) Max(errors, "modal.private_metadata", view.PrivateMetadata, PrivateMetadata);
        if (view.Blocks.Count is < 1 or > ModalBlocks)
        {
            errors.Add($"modal: {view.Blocks.Count} blocks (1 to {ModalBlocks})");
        }
        if (view.Submit is null && view.Blocks.Any(block => block is InputBlock))
        {
            errors.Add("modal: has input blocks but no submit button");
        }
        CheckBlocks(view.Blocks, "modal", errors);
        return errors;
    }

    /// <summary>Every way the Home tab breaks a limit; empty when it is fine.</summary>
    public static IReadOnlyList<string> Check(HomeView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var errors = new List<string>();
        if (view.CallbackId is not null) Max(errors, "home.callback_id", view.CallbackId, CallbackId);
        if (view.PrivateMetadata is not null) Max(errors, "home.private_metadata", view.PrivateMetadata, PrivateMetadata);
        if (view.Blocks.Count is < 1 or > HomeBlocks)
        {
            errors.Add($"home: {view.Blocks.Count} blocks (1 to {HomeBlocks})");
        }
        CheckBlocks(view.Blocks, "home", errors);
        return errors;
    }

    /// <summary>Throws with every broken limit listed; for tests.</summary>
    public static void EnsureValid(HomeView view) => Throw(Check(view));

    /// <summary>Throws with every broken limit listed; for tests.</summary>
    public static void EnsureValid(SlackMessage message) => Throw(Check(message));

    /// <summary>Throws with every broken limit listed; for tests.</summary>
    public static void EnsureValid(ModalView view) => Throw(Check(view));

    private static void Throw(IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Block Kit limits broken: " + string.Join("; ", errors));
        }
    }

    private static int CheckBlocks(IReadOnlyList<Block> blocks, string where, List<string> errors)
    {
        var total = 0;
        var blockIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var at = $"{where}.blocks[{i}]";
            if (block.BlockId is { } blockId)
            {
                Max(errors, at + ".block_id", blockId, BlockId);
                if (!blockIds.Add(blockId))
                {
                    errors.Add($"{at}: duplicate block_id '{blockId}'");
                }
            }
            total += CheckBlock(block, at, errors);
        }
        return total;
    }

    private static int CheckBlock(Block block, string at, List<string> errors)
    {
        switch (block)
        {
            case HeaderBlock header:
                NotEmpty(errors, at + ".text", header.Text.Text);
                Max(errors, at + ".text", header.Text.Text, HeaderText);
                return header.Text.Text.Length;
            case SectionBlock section:
                var length = 0;
                if (section.Text is null && (section.Fields is null || section.Fields.Count == 0))
                {
                    errors.Add($"{at}: a section needs text or fields");
                }
                if (section.Text is not null)
                {
                    NotEmpty(errors, at + ".text", section.Text.Text);
                    Max(errors, at + ".text", section.Text.Text, SectionText);
                    length += section.Text.Text.Length;
                }
                if (section.Fields is { } fields)
                {
                    if (fields.Count > SectionFields) errors.Add($"{at}.fields: {fields.Count} fields (max {SectionFields})");
                    for (var i = 0; i < fields.Count; i++)
                    {
                        NotEmpty(errors, $"{at}.fields[{i}]", fields[i].Text);
                        Max(errors, $"{at}.fields[{i}]", fields[i].Text, SectionFieldText);
                        length += fields[i].Text.Length;
                    }
                }
                if (section.Accessory is { } accessory)
                {
                    length += CheckElement(accessory, at + ".accessory", errors);
                }
                return length;
            case ContextBlock context:
                if (context.Elements.Count is < 1 or > ContextElements)
                {
                    errors.Add($"{at}.elements: {context.Elements.Count} elements (1 to {ContextElements})");
                }
                for (var i = 0; i < context.Elements.Count; i++)
                {
                    NotEmpty(errors, $"{at}.elements[{i}]", context.Elements[i].Text);
                }
                return context.Elements.Sum(element => element.Text.Length);
            case DividerBlock:
                return 0;
            case ActionsBlock actions:
                if (actions.Elements.Count is < 1 or > ActionsElements)
                {
                    errors.Add($"{at}.elements: {actions.Elements.Count} elements (1 to {ActionsElements})");
                }
                var actionIds = new HashSet<string>(StringComparer.Ordinal);
                var sum = 0;
                for (var i = 0; i < actions.Elements.Count; i++)
                {
                    sum += CheckElement(actions.Elements[i], $"{at}.elements[{i}]", errors);
                    if (ActionIdOf(actions.Elements[i]) is { } actionId && !actionIds.Add(actionId))
                    {
                        errors.Add($"{at}.elements[{i}]: duplicate action_id '{actionId}'");
                    }
                }
                return sum;
            case InputBlock input:
                NotEmpty(errors, at + ".label", input.Label.Text);
                Max(errors, at + ".label", input.Label.Text, InputLabel);
                return input.Label.Text.Length + CheckElement(input.Element, at + ".element", errors);
            case RichTextBlock richText:
                var richLength = 0;
                for (var i = 0; i < richText.Elements.Count; i++)
                {
                    var container = richText.Elements[i];
                    var text = container.Elements.Sum(inline => inline is RichTextText t ? t.Text.Length : 0);
                    if (container is RichTextPreformatted && text > PreformattedText)
                    {
                        errors.Add($"{at}.elements[{i}]: preformatted text is {text} chars (max {PreformattedText})");
                    }
                    richLength += text;
                }
                return richLength;
            default:
                errors.Add($"{at}: unknown block {block.GetType().Name}");
                return 0;
        }
    }

    private static int CheckElement(BlockElement element, string at, List<string> errors)
    {
        if (ActionIdOf(element) is { } actionId)
        {
            NotEmpty(errors, at + ".action_id", actionId);
            Max(errors, at + ".action_id", actionId, ActionId);
        }
        switch (element)
        {
            case ButtonElement button:
                NotEmpty(errors, at + ".text", button.Text.Text);
                Max(errors, at + ".text", button.Text.Text, ButtonText);
                if (button.Value is not null) Max(errors, at + ".value", button.Value, ButtonValue);
                if (button.Confirm is { } confirm) CheckConfirm(confirm, at + ".confirm", errors);
                return button.Text.Text.Length;
            case StaticSelectElement select:
                if (select.Options.Count is < 1 or > SelectOptions)
                {
                    errors.Add($"{at}.options: {select.Options.Count} options (1 to {SelectOptions})");
                }
                CheckOptions(select.Options, at, errors);
                if (select.InitialOption is { } initial && !select.Options.Contains(initial))
                {
                    errors.Add($"{at}.initial_option: not one of the options");
                }
                return 0;
            case OverflowElement overflow:
                if (overflow.Options.Count is < 1 or > OverflowOptions)
                {
                    errors.Add($"{at}.options: {overflow.Options.Count} options (1 to {OverflowOptions})");
                }
                CheckOptions(overflow.Options, at, errors);
                if (overflow.Confirm is { } overflowConfirm) CheckConfirm(overflowConfirm, at + ".confirm", errors);
                return 0;
            case PlainTextInputElement input:
                if (input.MaxLength is { } max && max is < 1 or > PlainTextInputMaxLength)
                {
                    errors.Add($"{at}.max_length: {max} (1 to {PlainTextInputMaxLength})");
                }
                if (input.InitialValue is { } initialValue && input.MaxLength is { } limit && initialValue.Length > limit)
                {
                    errors.Add($"{at}.initial_value: {initialValue.Length} chars exceeds max_length {limit}");
                }
                return 0;
            case ConversationsSelectElement conversations:
                if (conversations.Placeholder is { } placeholder) Max(errors, at + ".placeholder", placeholder.Text, SelectPlaceholder);
                if (conversations.Filter?.Include is { } include
                    && (include.Count == 0 || include.Any(kind => kind is not (ConversationFilter.Public or ConversationFilter.Private or ConversationFilter.Im or ConversationFilter.Mpim))))
                {
                    errors.Add($"{at}.filter.include: {string.Join(",", include)} (one or more of public, private, im, mpim)");
                }
                return 0;
            case ImageElement:
                return 0;
            default:
                errors.Add($"{at}: unknown element {element.GetType().Name}");
                return 0;
        }
    }

    private static void CheckOptions(IReadOnlyList<OptionObject> options, string at, List<string> errors)
    {
        for (var i = 0; i < options.Count; i++)
        {
            Max(errors, $"{at}.options[{i}].text", options[i].Text.Text, OptionText);
            Max(errors, $"{at}.options[{i}].value", options[i].Value, OptionValue);
        }
    }

    private static void CheckConfirm(ConfirmDialog confirm, string at, List<string> errors)
    {
        Max(errors, at + ".title", confirm.Title.Text, ConfirmTitle);
        Max(errors, at + ".text", confirm.Text.Text, ConfirmText);
        Max(errors, at + ".confirm", confirm.Confirm.Text, ConfirmButton);
        Max(errors, at + ".deny", confirm.Deny.Text, ConfirmButton);
    }

    private static string? ActionIdOf(BlockElement element) => element switch
    {
        ButtonElement button => button.ActionId,
        StaticSelectElement select => select.ActionId,
        PlainTextInputElement input => input.ActionId,
        OverflowElement overflow => overflow.ActionId,
        ConversationsSelectElement conversations => conversations.ActionId,
        _ => null,
    };

    private static void Max(List<string> errors, string at, string value, int max)
    {
        if (value.Length > max)
        {
            errors.Add($"{at}: {value.Length} chars (max {max})");
        }
    }

    private static void NotEmpty(List<string> errors, string at, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add($"{at}: empty");
        }
    }
}
