import Foundation
@testable import HavenMail
import Testing

@Suite struct CharsetTests {
    @Test func legacyCharsetsAndAliases() {
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9, 0x20, 0x80], label: "latin1") == "café €")  // ISO-8859-1 read as Windows-1252
        #expect(Charset.decode([0xA4], label: "ISO-8859-15") == "€")
        #expect(Charset.decode([0xB1, 0xE6], label: "iso-8859-2") == "ąć")
        #expect(Charset.decode([0xC7, 0xE1, 0xD3, 0xE1, 0xC7, 0xE3], label: "windows-1256") == "السلام")
        #expect(Charset.decode([0xC7, 0xE4, 0xD3, 0xE4, 0xC7, 0xE5], label: "ISO_8859-6") == "السلام")
        #expect(Charset.decode([0xFF, 0xFE, 0x41, 0x00, 0xE3, 0x00], label: "UTF-16") == "Aã")
        #expect(Charset.decode([0x00, 0x41, 0x00, 0xE3], label: "utf-16be") == "Aã")
        #expect(Charset.decode(Array("ação".utf8), label: "UTF8") == "ação")
    }

    @Test func wrongOrMissingLabelsFallBackToWhatTheBytesAre() {
        // UTF-8 bytes labelled Latin-1, invalid UTF-8 labelled UTF-8, unknown labels, no label at all.
        #expect(Charset.decode(Array("não".utf8), label: "iso-8859-1") == "não")
        #expect(Charset.decode([0x6E, 0xE3, 0x6F], label: "utf-8") == "não")
        #expect(Charset.decode([0x6E, 0xE3, 0x6F], label: "x-klingon") == "não")
        #expect(Charset.decode(Array("não".utf8), label: nil) == "não")
        // Mostly high bytes: Arabic in Windows-1256 rather than accented Latin.
        #expect(Charset.decode([0xC7, 0xE1, 0xD3, 0xE1, 0xC7, 0xE3], label: "unknown") == "السلام")
        // US-ASCII labels with 8-bit bytes.
        #expect(Charset.decode([0x6E, 0xE3, 0x6F], label: "us-ascii") == "não")
    }
}

@Suite struct TransferEncodingTests {
    @Test func base64ToleratesJunkAndBadPadding() {
        #expect(TransferEncoding.base64(Array("SGVs\r\nbG8=".utf8)) == Array("Hello".utf8))
        #expect(TransferEncoding.base64(Array("SGVsbG8".utf8)) == Array("Hello".utf8))        // no padding
        #expect(TransferEncoding.base64(Array("SGVsbG8===  !!".utf8)) == Array("Hello".utf8)) // extra padding and junk
        #expect(TransferEncoding.base64(Array("S".utf8)) == [])                               // a lone character holds no byte
    }

    @Test func quotedPrintableSoftBreaksAndBrokenEscapes() {
        #expect(TransferEncoding.quotedPrintable(Array("caf=C3=A9 =\r\nau lait=\nok".utf8)) == Array("café au laitok".utf8))
        #expect(TransferEncoding.quotedPrintable(Array("100% =ZZ sure=".utf8)) == Array("100% =ZZ sure".utf8))
        #expect(TransferEncoding.quotedPrintable(Array("a=20=  \r\nb".utf8)) == Array("a b".utf8))  // whitespace after a soft break
        #expect(TransferEncoding.quotedPrintable(Array("R=C3=A9_ponse".utf8), underscoreIsSpace: true) == Array("Ré ponse".utf8))
    }
}

@Suite struct HeaderTests {
    @Test func encodedWordsJoinAndStayReadableWhenBroken() {
        #expect(EncodedWords.decode("=?UTF-8?Q?Jo=C3=A3o?= =?UTF-8?Q?_Silva?=") == "João Silva")
        // A multi-byte character split across two adjacent words.
        #expect(EncodedWords.decode("=?utf-8?B?w6Nv?= =?utf-8?B?w6M=?=") == "ãoã")
        #expect(EncodedWords.decode("=?utf-8?B?2K3Ys9in2KjZig==?=") == "حسابي")
        #expect(EncodedWords.decode("Re: =?iso-8859-1?q?caf=E9?= now") == "Re: café now")
        #expect(EncodedWords.decode("=?utf-8?X?bad?= and =?unterminated") == "=?utf-8?X?bad?= and =?unterminated")
        #expect(EncodedWords.decode("=?UTF-8*pt-BR?Q?n=C3=A3o?=") == "não")  // RFC 2231 language suffix
    }

    @Test func foldedHeadersAndParameters() {
        let headers = MailHeaders.parse(Array("Subject: one\r\n two\r\n\tthree\r\nX-Empty:\r\nbad line\r\nContent-Type: text/plain;\r\n charset=\"utf-8\"; format=flowed (comment)\r\n".utf8)[...])
        #expect(headers["subject"] == "one two three")
        #expect(headers["X-Empty"] == "")
        let type = HeaderValue(parsing: headers["Content-Type"]!)
        #expect(type.value == "text/plain")
        #expect(type.parameters == ["charset": "utf-8", "format": "flowed"])
    }

    @Test func rfc2231Parameters() {
        let value = HeaderValue(parsing: "attachment; filename*0*=iso-8859-1'pt'relat%F3rio; filename*1=\" final.pdf\"")
        #expect(value.parameters["filename"] == "relatório final.pdf")
        let single = HeaderValue(parsing: "attachment; filename*=UTF-8''%D8%B5%D9%88%D8%B1%D8%A9.png")
        #expect(single.parameters["filename"] == "صورة.png")
        let encodedWord = HeaderValue(parsing: "attachment; filename=\"=?UTF-8?B?Y29tcHJvdmFudGUucGRm?=\"")
        #expect(encodedWord.parameters["filename"] == "comprovante.pdf")
    }

    @Test func addressLists() {
        let list = AddressParser.parse("\"Silva, Ana\" <ana@Example.COM>, bob@example.com (Bob B), Team: c@x.org, <d@y.org>;, =?utf-8?Q?Andr=C3=A9?= <andre@z.fr>")
        #expect(list.map(\.address) == ["ana@example.com", "bob@example.com", "c@x.org", "d@y.org", "andre@z.fr"])
        #expect(list.map(\.name) == ["Silva, Ana", "Bob B", nil, nil, "André"])
        #expect(AddressParser.parse("not an address").isEmpty)
        #expect(AddressParser.messageIDs("<a@b> <c@d>\r\n <e@f>") == ["a@b", "c@d", "e@f"])
        #expect(AddressParser.messageIDs("bare@id.example") == ["bare@id.example"])
    }

    @Test func datesIncludingObsoleteForms() {
        func iso(_ text: String) -> String? { MailDate.parse(text).map { ISO8601DateFormatter().string(from: $0) } }
        #expect(iso("Mon, 16 Nov 2026 10:02:03 +0100") == "2026-11-16T09:02:03Z")
        #expect(iso("16 Nov 2026 10:02 -0300 (BRT)") == "2026-11-16T13:02:00Z")
        #expect(iso("Monday, 16 Nov 26 10:02:03 GMT") == "2026-11-16T10:02:03Z")
        #expect(iso("Mon, 16 Nov 99 10:02:03 PST") == "1999-11-16T18:02:03Z")
        #expect(iso("Thu, 5 Mar 2026 1:2:3 Z") == "2026-03-05T01:02:03Z")
        #expect(iso("2026-11-16T10:02:03Z") == "2026-11-16T10:02:03Z")
        #expect(iso("yesterday") == nil)
        #expect(iso("Mon, 31 Feb 2026 10:00:00 +0000") == nil)
    }
}

@Suite struct HTMLTests {
    @Test func textKeepsStructureAndDropsActiveContent() {
        let text = HTML.text("<p>Olá&nbsp;<b>time</b></p><script>x()</script><div>linha 2<br>linha 3</div><ol><li>um</li><li>dois &amp; três</li></ol>&#x645;&#1585;")
        #expect(text == "Olá time\n\nlinha 2\nlinha 3\n\n• um\n• dois & três\n\nمر")
    }

    @Test func sanitizerAllowsFormattingOnly() {
        let html = HTML.sanitize(#"<div onclick="x()" style="background:url(https://t.example/p)"><a href="javascript:x()">a</a><a href="https://ok.example/?a=1&b=2">b</a><img src="http://t.example/p.gif" alt="logo"><img src="cid:i1"><form><input name=x></form>"<>"</div><p>unclosed"#)
        #expect(html == #"<div><a>a</a><a href="https://ok.example/?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">b</a>[logo]<img src="cid:i1">&quot;&lt;&gt;&quot;</div><p>unclosed</p>"#)
    }
}

@Suite struct ReplyExtractorTests {
    @Test(arguments: [
        ("Sim, funcionou.\n\nEm seg., 16 de nov. de 2026 às 10:02, Suporte Haven <support@haven.test> escreveu:\n> Tente de novo", "Sim, funcionou."),
        ("Merci !\n\nLe lun. 16 nov. 2026 à 10:02, Support Haven <support@haven.test> a écrit :\n> Bonjour", "Merci !"),
        ("شكرا\n\nفي الاثنين، 16 نوفمبر 2026 10:02 ص، فريق الدعم <support@haven.test> كتب:\n> مرحبا", "شكرا"),
        ("Gracias.\n\nEl lun, 16 nov 2026 a las 10:02, Haven (<support@haven.test>) escribió:\n> Hola", "Gracias."),
        ("Feito.\n\nDe: Suporte <support@haven.test>\nEnviado: segunda-feira\nPara: Ana\nAssunto: Conta\n\nTexto antigo", "Feito."),
        ("Voilà.\n\nDe : Support <support@haven.test>\nEnvoyé : lundi\nÀ : Luc\nObjet : Compte\n\nAncien", "Voilà."),
        ("تم.\n\nمن: الدعم <support@haven.test>\nأرسل: الاثنين\nإلى: أحمد\nالموضوع: الحساب\n\nقديم", "تم."),
        ("Ok obrigado\n\nEnviado do meu iPhone", "Ok obrigado"),
        ("Thanks for the help\nJohn wrote:\n> old", "Thanks for the help"),  // the line before a short attribution stays
        ("Thanks\n-- \nAna\nCreator", "Thanks"),
        ("> only a quote\n> nothing new", "> only a quote\n> nothing new"),
        ("Inline answer:\n> question?\nyes, this one.", "Inline answer:\n> question?\nyes, this one."),
    ])
    func stripsQuotesSignaturesAndFooters(_ input: String, _ expected: String) {
        #expect(ReplyExtractor.newText(of: input) == expected)
    }
}

@Suite struct StructureTests {
    @Test func digestPartsDefaultToMessages() {
        let raw = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nFrom: a@x.org\r\nSubject: first\r\n\r\nOne.\r\n--d\r\n\r\nFrom: b@y.org\r\nSubject: second\r\n\r\nTwo.\r\n--d--\r\n"
        let root = MIMEParser().parse(Array(raw.utf8))
        #expect(root.parts.map(\.mediaType) == ["message/rfc822", "message/rfc822"])
        #expect(root.parts.map { $0.parts.first?.headers["Subject"] } == ["first", "second"])
        #expect(InboundMail(parsing: Array(raw.utf8)).attachments.map(\.filename) == ["message.eml", "message.eml"])
    }

    @Test func nestedMixedAlternativeRelated() {
        let raw = """
            Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n\
            Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nOl=E1\r\n--a\r\n\
            Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<p>Ol&aacute;</p><img src=cid:i@x>\r\n\
            --r\r\nContent-Type: image/gif\r\nContent-ID: <i@x>\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n--r--\r\n--a--\r\n\
            --m\r\nContent-Type: text/csv; name=data.csv\r\n\r\na,b\r\n--m--\r\n
            """
        let mail = InboundMail(parsing: Array(raw.utf8))
        #expect(mail.text == "Olá")
        #expect(mail.html == "<p>Olá</p><img src=\"cid:i@x\">")
        #expect(mail.attachments.map(\.filename) == ["attachment", "data.csv"])
        #expect(mail.attachments.first?.isInline == true)
        #expect(mail.attachments.first?.data == [0x47, 0x49, 0x46, 0x38, 0x39, 0x61])
    }
}
