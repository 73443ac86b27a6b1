import HavenMail

/// A help-centre page with the chat widget embedded the way any site embeds it: one script tag. Haven's demo, and
/// the page the browser tests drive.
enum HelpCentrePage {
    static func render(locale: String) -> String {
        let text = { (key: String) in HTML.escape(WorkspaceStrings.text(key, locale)) }
        return """
            <!DOCTYPE html>
            <html lang="\(locale)" dir="\(WorkspaceStrings.direction(locale))">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="stylesheet" href="/assets/workspace.css"><title>\(text("help.title"))</title></head>
            <body><main id="content" class="help"><h1>\(text("help.title"))</h1><p>\(text("help.intro"))</p></main>
            <script src="/assets/chat-widget.js" data-haven-chat data-lang="\(locale)" defer></script>
            </body></html>
            """
    }
}
