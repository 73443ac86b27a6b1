#!/usr/bin/env python3
"""Writes the mail test corpus (Tests/HavenMailTests/Corpus/*.eml): messages as real clients write them, in our four
languages and in legacy and broken encodings. Most are written byte by byte (clients' quirks matter); some are built
with Python's email package. Expected parses are in Corpus/expected.json, written by hand, not by Haven.
Run from the repository root: python3 scripts/mail-corpus.py"""
import base64, os, quopri
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.policy import SMTP, default

OUT = 'Tests/HavenMailTests/Corpus'
os.makedirs(OUT, exist_ok=True)

def write(name, data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(OUT, name + '.eml'), 'wb') as f:
        f.write(data)

def crlf(text):
    return text.replace('\r\n', '\n').replace('\n', '\r\n')

def qp(text, charset):
    return quopri.encodestring(text.encode(charset)).decode('ascii')

# 1. Gmail reply in English: multipart/alternative, quoted-printable UTF-8, attribution wrapped over two lines.
plain = ("Hi, I tried the reset link again and it still says “expired”.\n\n"
         "On Mon, 16 Nov 2026 at 10:02, Haven Support <support@haven.test>\nwrote:\n\n"
         "> Hello Ana, please use the link below to reset your password.\n> Thanks, Haven\n")
html = ('<div dir="ltr">Hi, I tried the reset link again and it still says “expired”.</div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 16 Nov 2026 at 10:02, Haven Support '
        '&lt;<a href="mailto:support@haven.test">support@haven.test</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote">Hello Ana, please use the link below.</blockquote></div>')
write('gmail-reply-en', crlf(f"""MIME-Version: 1.0
Date: Mon, 16 Nov 2026 11:20:45 -0300
References: <ack-12@haven.test> <reply-12-1@haven.test>
In-Reply-To: <reply-12-1@haven.test>
Message-ID: <CAF+gmail-1@mail.gmail.com>
Subject: Re: [#12] Password reset link expired
From: Ana Souza <ana.souza@gmail.com>
To: Haven Support <support@haven.test>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(plain, 'utf-8')}
--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(html, 'utf-8')}
--000000000000a1b2c3--
"""))

# 2. Outlook reply in Portuguese, Windows-1252, with the "De:/Enviado:/Para:/Assunto:" block and an encoded subject.
body = ("Olá, ainda não consigo entrar na minha conta. Já tentei três vezes.\n\n"
        "Obrigado,\nJoão\n\n"
        "________________________________\n"
        "De: Suporte Haven <support@haven.test>\n"
        "Enviado: segunda-feira, 16 de novembro de 2026 10:02\n"
        "Para: João Pereira <joao.pereira@outlook.com.br>\n"
        "Assunto: [#34] Acesso à conta\n\n"
        "Olá João, você pode tentar de novo?\n")
write('outlook-reply-pt-windows1252', crlf(f"""From: =?Windows-1252?Q?Jo=E3o_Pereira?= <joao.pereira@outlook.com.br>
To: Suporte Haven <support@haven.test>
Subject: =?Windows-1252?Q?RE:_[#34]_Acesso_=E0_conta_=96_n=E3o_consigo_entrar?=
Thread-Topic: =?Windows-1252?Q?Acesso_=E0_conta?=
Date: Mon, 16 Nov 2026 13:05:10 +0000
Message-ID: <DM6PR01MB1234ABCD@DM6PR01MB1234.namprd01.prod.outlook.com>
In-Reply-To: <reply-34-1@haven.test>
Content-Language: pt-BR
Content-Type: text/plain; charset="Windows-1252"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{qp(body, 'cp1252')}"""))

# 3. Apple Mail in French, ISO-8859-15 (euro sign), "Le … a écrit :" and an iPhone footer.
body = ("Bonjour,\n\nJ'ai été débité de 9,99 € deux fois pour les pièces LIVE.\n\nEnvoyé de mon iPhone\n\n"
        "> Le 20 nov. 2026 à 09:14, Support Haven <support@haven.test> a écrit :\n> \n> Bonjour Camille,\n")
write('apple-mail-fr-iso885915', crlf(f"""From: Camille Martin <camille.martin@icloud.com>
Content-Type: text/plain;
\tcharset=iso-8859-15
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (1.0)
Date: Fri, 20 Nov 2026 09:30:01 +0100
Subject: =?iso-8859-15?Q?Re=A0:_Pi=E8ces_LIVE_d=E9bit=E9es_deux_fois?=
Message-Id: <5F1A2B3C-1111-2222-3333-444455556666@icloud.com>
In-Reply-To: <reply-56-1@haven.test>
To: support@haven.test

{qp(body, 'iso8859_15')}"""))

# 4. Arabic in Windows-1256, 8bit, with an Arabic Gmail attribution and RLM marks.
body = ("مرحبا، تم حظر حسابي بدون سبب وأريد تقديم طعن.\n\n"
        "في الأحد، 15 نوفمبر 2026 في 10:00 ص، \u200fفريق الدعم <support@haven.test>\u200f كتب:\n"
        "> شكرا لتواصلك معنا\n")
write('arabic-windows1256', crlf("""From: =?windows-1256?B?""" + base64.b64encode('أحمد علي'.encode('cp1256')).decode() + """?= <ahmed.ali@example.sa>
To: support@haven.test
Subject: =?UTF-8?B?""" + base64.b64encode('رد: حسابي محظور'.encode('utf-8')).decode() + """?=
Date: Sun, 15 Nov 2026 12:00:00 +0300
Message-ID: <ar-1256@example.sa>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1256
Content-Transfer-Encoding: 8bit

""").encode('ascii') + crlf(body).encode('cp1256'))

# 5. Arabic in ISO-8859-6, base64 with lines of odd length and missing padding.
raw = base64.b64encode('أريد استرداد أموالي من الهدايا'.encode('iso8859_6')).decode().rstrip('=')
write('arabic-iso88596-base64', crlf(f"""From: Layla <layla@example.ae>
To: support@haven.test
Subject: =?ISO-8859-6?Q?=C7=D3=CA=D1=CF=C7=CF?=
Date: 15 Nov 2026 12:00 +0400
Message-ID: <ar-88596@example.ae>
MIME-Version: 1.0
Content-Type: text/plain; charset="ISO-8859-6"
Content-Transfer-Encoding: base64

{raw[:13]}
{raw[13:41]}  
{raw[41:]}
"""))

# 6. UTF-16 (little-endian with BOM), base64.
write('utf16-text', crlf(f"""From: user16@example.com
To: support@haven.test
Subject: UTF-16 body
Message-ID: <u16@example.com>
Content-Type: text/plain; charset=utf-16
Content-Transfer-Encoding: base64

{base64.encodebytes('Olá, minha live caiu às 20h. 😢'.encode('utf-16')).decode()}"""))

# 7. HTML only, with a script, event handlers, a tracking pixel, a javascript: link and a style block.
html = """<html><head><style>p {color: red}</style><script>alert('x')</script><title>t</title></head>
<body onload="steal()"><p>Hello&nbsp;team,</p><p>My <b>LIVE</b> gifts were not paid.<br>See <a href="https://example.com/proof">my proof</a>
and <a href="javascript:alert(1)">this</a>.</p><img src="https://tracker.example.com/open.gif" alt="">
<ul><li>Room 123</li><li>Gift: Rose &amp; Lion</li></ul><iframe src="https://evil.example.com"></iframe></body></html>"""
write('html-only', crlf(f"""From: "Creator, Top" <top.creator@example.com>
To: support@haven.test
Subject: LIVE gifts not paid
Message-ID: <html-only@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp(html, 'utf-8')}"""))

# 8. Declared ISO-8859-1, but the bytes are UTF-8 (a mislabel by a web mailer).
write('mislabelled-latin1-is-utf8', crlf("""From: maria@example.com.br
To: support@haven.test
Subject: =?ISO-8859-1?Q?Cora=E7=E3o?=
Message-ID: <mislabel@example.com.br>
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit

""").encode('ascii') + 'Não recebi o código de verificação.\r\n'.encode('utf-8'))

# 9. An unknown charset label on Windows-1252 bytes (French).
write('unknown-charset-cp1252', crlf("""From: luc@example.fr
To: support@haven.test
Subject: Compte
Message-ID: <unknown-cs@example.fr>
Content-Type: text/plain; charset=x-mac-nonsense
Content-Transfer-Encoding: 8bit

""").encode('ascii') + 'Mon compte a été piraté, aidez-moi à le récupérer.\r\n'.encode('cp1252'))

# 10. RFC 2231 file name (continuations, charset), a PDF attachment, and a Thunderbird signature.
pdf = b'%PDF-1.4\n% fake but harmless\n' + bytes(range(256))
write('rfc2231-attachment-thunderbird', crlf(f"""From: Ana <ana@example.org>
To: support@haven.test
Subject: Comprovante de pagamento
Message-ID: <tb-2231@example.org>
User-Agent: Mozilla Thunderbird
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="------------tb0123456789"

This is a multi-part message in MIME format.
--------------tb0123456789
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Segue o comprovante do pagamento.

-- 
Ana Lima
Criadora de conteúdo

--------------tb0123456789
Content-Type: application/pdf;
 name*0*=UTF-8''comprovante%20de%20pagamento%20%E2%80%93%20;
 name*1*=novembro.pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''comprovante%20de%20pagamento%20%E2%80%93%20;
 filename*1*=novembro.pdf
Content-Transfer-Encoding: base64

{base64.encodebytes(pdf).decode()}
--------------tb0123456789--
"""))

# 11. Inline image (multipart/related, cid:), built with Python's email package.
msg = MIMEMultipart('related')
msg['From'] = 'Beatriz <bia@example.com>'
msg['To'] = 'support@haven.test'
msg['Subject'] = 'Screenshot of the error'
msg['Message-ID'] = '<related-cid@example.com>'
alt = MIMEMultipart('alternative')
alt.attach(MIMEText('The error is in the screenshot below.', 'plain', 'utf-8'))
alt.attach(MIMEText('<p>The error is in the screenshot below.</p><img src="cid:shot1@example.com" alt="screenshot">', 'html', 'utf-8'))
msg.attach(alt)
png = b'\x89PNG\r\n\x1a\n' + b'\x00' * 32
image = MIMEImage(png, 'png')
image.add_header('Content-ID', '<shot1@example.com>')
image.add_header('Content-Disposition', 'inline', filename='shot.png')
msg.attach(image)
write('inline-image-related', msg.as_bytes(policy=SMTP))

# 12. A forwarded message (message/rfc822), built with Python's email package.
inner = EmailMessage()
inner['From'] = 'Scammer <win@prize.example>'
inner['To'] = 'ana@example.org'
inner['Subject'] = 'You won 10,000 coins'
inner['Message-ID'] = '<scam-1@prize.example>'
inner.set_content('Send us your password to claim your coins.')
outer = EmailMessage()
outer['From'] = 'Ana <ana@example.org>'
outer['To'] = 'support@haven.test'
outer['Subject'] = 'Fwd: You won 10,000 coins'
outer['Message-ID'] = '<fwd-1@example.org>'
outer.set_content('Is this message from you? It asks for my password.')
outer.add_attachment(inner)
write('forwarded-rfc822', outer.as_bytes(policy=SMTP))

# 13. A bounce: a multipart/report delivery status notification for mail Haven sent.
write('bounce-dsn', crlf("""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: support@haven.test
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <dsn-1@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-BOUNDARY"

--DSN-BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.
I'm sorry to have to inform you that your message could not be delivered.

<gone@example.net>: host mx.example.net said: 550 5.1.1 User unknown

--DSN-BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon, 16 Nov 2026 10:02:00 +0000

Final-Recipient: rfc822; gone@example.net
Original-Recipient: rfc822;gone@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--DSN-BOUNDARY
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Haven Support <support@haven.test>
To: gone@example.net
Subject: [#78] We received your request
Message-ID: <ack-78@haven.test>

--DSN-BOUNDARY--
"""))

# 14. An out-of-office reply in French (Auto-Submitted).
write('out-of-office-fr', crlf("""From: Luc Bernard <luc@example.fr>
To: support@haven.test
Subject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0:_absent_du_bureau?=
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Message-ID: <ooo-fr@example.fr>
Content-Type: text/plain; charset=utf-8

Je suis absent jusqu'au 30 novembre.
"""))

# 15. Bulk mail (a newsletter).
write('bulk-newsletter', crlf("""From: News <news@marketing.example>
To: support@haven.test
Subject: Our November deals
Precedence: bulk
List-Unsubscribe: <mailto:unsubscribe@marketing.example>
Message-ID: <news-1@marketing.example>
Content-Type: text/plain

Big deals this month.
"""))

# 16. Truncated multipart: the closing boundary never comes, the attachment is cut off.
write('truncated-multipart', crlf("""From: cut@example.com
To: support@haven.test
Subject: truncated
Message-ID: <cut@example.com>
Content-Type: multipart/mixed; boundary=XYZ

--XYZ
Content-Type: text/plain

The first part arrived whole.
--XYZ
Content-Type: image/jpeg; name=photo.jpg
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIU
"""))

# 17. Broken encoded words, an unterminated quoted name, and a multipart with no boundary parameter.
write('broken-headers', crlf("""From: "Broken Name <broken@example.com>
To: support@haven.test
Subject: =?utf-8?B?not-base64?= =?x-unknown?Q?caf=E9?= =?utf-8?Q?ok?= plain
Message-ID: <broken@example.com>
Content-Type: multipart/mixed

Body without any boundary still has to be readable.
"""))

# 18. Address edge cases, an obsolete date, folded headers with comments.
write('addresses-obsolete-date', crlf("""From: (Silva) maria.silva@EXAMPLE.COM (Maria Silva)
To: Support Team: support@haven.test, "Lead, Team" <lead@haven.test>;,
 undisclosed-recipients:;
Cc: =?utf-8?Q?Jos=C3=A9?= <jose@example.com>, <@relay.example:bare@example.com>
Date: Mon, 16 Nov 26 10:02 EST
Subject: Folded
 subject line
Message-ID: <addr@example.com>

Address test.
"""))

# 19. Yahoo reply in English and an Outlook reply in Spanish and German attributions.
write('yahoo-reply-en', crlf("""From: Sam <sam@yahoo.com>
To: support@haven.test
Subject: Re: Payout missing
Message-ID: <yahoo-1@yahoo.com>
Content-Type: text/plain; charset=UTF-8

My payout for October is still missing.

Sent from Yahoo Mail on Android

    On Monday, November 16, 2026, 10:02:11 AM GMT-3, Haven Support <support@haven.test> wrote:

    We are looking into it.
"""))
write('german-spanish-attribution', crlf("""From: Klaus <klaus@example.de>
To: support@haven.test
Subject: AW: Konto
Message-ID: <de-1@example.de>
Content-Type: text/plain; charset=UTF-8

Danke, es funktioniert wieder.

Am 16.11.2026 um 10:02 schrieb Haven Support <support@haven.test>:
> Bitte versuchen Sie es erneut.
"""))

# 20. mbox "From " line, LF line ends, no MIME headers, and a 2,000-character quoted-printable line without soft breaks.
write('mbox-lf-long-line', ("From MAILER-DAEMON Mon Nov 16 10:02:00 2026\n"
    "From: long@example.com\nTo: support@haven.test\nSubject: long line\nMessage-ID: <long@example.com>\n"
    "Content-Transfer-Encoding: quoted-printable\n\n" + ("abc=3D" * 400) + "\n").encode('ascii'))

# 21. Outlook English reply with "-----Original Message-----".
write('outlook-original-message-en', crlf("""From: Pat <pat@contoso.example>
To: support@haven.test
Subject: RE: [#90] Appeal
Message-ID: <outlook-en@contoso.example>
Content-Type: text/plain; charset=us-ascii

Please review my appeal again.

-----Original Message-----
From: Haven Support <support@haven.test>
Sent: Monday, November 16, 2026 10:02 AM
To: Pat <pat@contoso.example>
Subject: [#90] Appeal

Your appeal was rejected.
"""))

# 22. Garbage: no header block at all, NUL bytes and invalid UTF-8.
write('garbage-no-headers', b'\x00\xff\xfe just some bytes \x80\x81 without headers\r\n\r\n\xc3\x28 more')
print('corpus written to', OUT)
