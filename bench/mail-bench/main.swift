// Parse benchmark for HavenMail: typical messages (about 20 KB: a quoted-printable text part, its HTML
// alternative and one base64 attachment, headers as Gmail writes them), parsed on one core.
// Run with bench/run-mail (release build). Prints messages/s and MB/s.
import Foundation
import HavenMail

func typicalMessage(_ index: Int) -> [UInt8] {
    let paragraph = "Olá, equipe! Minha live caiu três vezes hoje e os presentes não apareceram no saldo. Já reiniciei o app e nada mudou. "
    let text = String(repeating: paragraph, count: 25) + "\n\nEm seg., 16 de nov. de 2026 às 10:02, Suporte <support@haven.test> escreveu:\n> Olá!\n"
    func qp(_ s: String) -> String {
        var out = "", line = 0
        for byte in s.utf8 {
            let piece = (byte >= 33 && byte <= 126 && byte != 61) || byte == 32 ? String(UnicodeScalar(byte)) : (byte == 10 ? "\r\n" : String(format: "=%02X", byte))
            if line + piece.count > 75, piece != "\r\n" { out += "=\r\n"; line = 0 }
            out += piece
            line = piece == "\r\n" ? 0 : line + piece.count
        }
        return out
    }
    let attachment = Data((0..<9_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    let html = "<div dir=\"ltr\">" + text.replacingOccurrences(of: "\n", with: "<br>") + "</div>"
    let message = """
        MIME-Version: 1.0\r
        Date: Mon, 16 Nov 2026 11:20:45 -0300\r
        References: <ack-\(index)@haven.test> <reply-\(index)@haven.test>\r
        In-Reply-To: <reply-\(index)@haven.test>\r
        Message-ID: <CAF+bench-\(index)@mail.gmail.com>\r
        Subject: =?UTF-8?Q?Re:_[#\(index)]_Minha_live_caiu_tr=C3=AAs_vezes?=\r
        From: =?UTF-8?Q?Jo=C3=A3o_Silva?= <joao\(index)@gmail.com>\r
        To: Suporte <support@haven.test>\r
        Content-Type: multipart/mixed; boundary="000000000000mixed"\r
        \r
        --000000000000mixed\r
        Content-Type: multipart/alternative; boundary="000000000000alt"\r
        \r
        --000000000000alt\r
        Content-Type: text/plain; charset="UTF-8"\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        \(qp(text))\r
        --000000000000alt\r
        Content-Type: text/html; charset="UTF-8"\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        \(qp(html))\r
        --000000000000alt--\r
        --000000000000mixed\r
        Content-Type: image/png; name="captura.png"\r
        Content-Disposition: attachment; filename="captura.png"\r
        Content-Transfer-Encoding: base64\r
        \r
        \(attachment)\r
        --000000000000mixed--\r

        """
    return Array(message.utf8)
}

let messages = (0..<64).map(typicalMessage)
let averageSize = messages.reduce(0) { $0 + $1.count } / messages.count
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "5") ?? 5
var parsed = 0, checksum = 0
let start = Date()
while Date().timeIntervalSince(start) < seconds {
    for message in messages {
        let mail = InboundMail(parsing: message)
        checksum &+= mail.newText.utf8.count &+ mail.attachments.count
        parsed += 1
    }
}
let elapsed = Date().timeIntervalSince(start)
let sample = InboundMail(parsing: messages[0])
precondition(sample.attachments.count == 1 && sample.newText.hasPrefix("Olá, equipe!") && !sample.newText.contains("escreveu:"), "the benchmark message did not parse as expected")
print(String(format: "RESULT messages=%d seconds=%.1f msgs_per_s=%.0f avg_bytes=%d mb_per_s=%.1f checksum=%d",
             parsed, elapsed, Double(parsed) / elapsed, averageSize, Double(parsed * averageSize) / elapsed / 1e6, checksum))
