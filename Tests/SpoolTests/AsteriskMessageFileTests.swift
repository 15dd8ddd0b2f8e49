import Foundation
import Spool
import Testing

@Suite("Asterisk msgNNNN.txt")
struct AsteriskMessageFileTests {
    @Test("the original leave_voicemail writer")
    func originalWriter() {
        let file = AsteriskMessageFile(data: Data("""
            ;
            ; Message Information file
            ;
            [message]
            origmailbox=1001
            context=from-internal
            exten=1001
            rdnis=unknown
            priority=3
            callerchan=PJSIP/trunk-0000002a
            callerid="Jane O\\"Brien" <+15551234567>
            origdate=Sun Mar  1 04:00:00 PM UTC 2026
            origtime=1772380800
            category=
            msg_id=1772380800-0000002a
            flag=
            duration=17

            """.utf8))
        #expect(file.origtime == 1_772_380_800)
        #expect(file.messageID == "1772380800-0000002a")
        #expect(file.duration == 17)
        #expect(file.isUrgent == false)
        #expect(file.callerID == #""Jane O\"Brien" <+15551234567>"#)
        #expect(file.fields["category"] == "")
    }

    @Test("the ast_config_text_file_save rewrite: ;! header, spaces, escaped semicolons")
    func rewrittenForm() {
        let file = AsteriskMessageFile(data: Data("""
            ;!
            ;! Automatically generated configuration file
            ;! Filename: /var/spool/asterisk/voicemail/default/1001/INBOX/msg0003.txt
            ;! Generator: app_voicemail
            ;!

            [message]
            origmailbox = 1001
            callerid = "Smith\\; Jones & Co" <2125550199>
            origtime = 1772381100
            msg_id = 1772381100-00000003
            flag = Urgent

            """.utf8))
        #expect(file.origtime == 1_772_381_100)
        #expect(file.callerID == #""Smith; Jones & Co" <2125550199>"#)
        #expect(file.isUrgent)
        #expect(file.fields["origmailbox"] == "1001")
    }

    @Test("a legacy file without msg_id, flag or duration, and `=>` separators")
    func legacyAndMissingFields() {
        let file = AsteriskMessageFile(data: Data("""
            [message]
            origmailbox=1001
            callerid => Unknown
            origdate=Mon Jan  4 09:15:02 AM EST 2010
            origtime=1262614502
            """.utf8))
        #expect(file.origtime == 1_262_614_502)
        #expect(file.messageID == nil)
        #expect(file.flag == nil)
        #expect(file.duration == nil)
        #expect(file.callerID == "Unknown")
    }

    @Test("an unescaped semicolon inside a name stays part of the value")
    func unescapedSemicolon() {
        let file = AsteriskMessageFile(data: Data("callerid=\"Acme; Sales\" <100>\norigtime=5\n".utf8))
        #expect(file.callerID == "\"Acme; Sales\" <100>")
    }

    @Test("invalid UTF-8 is read as Latin-1, losing nothing")
    func latin1() {
        var bytes = Array("callerid=\"Jos".utf8)
        bytes.append(0xE9)  // é in ISO 8859-1, invalid alone in UTF-8
        bytes += Array("\" <5551234567>\norigtime=7\n".utf8)
        let file = AsteriskMessageFile(data: Data(bytes))
        #expect(file.callerID == "\"José\" <5551234567>")
        #expect(file.origtime == 7)
    }

    @Test("garbage yields no fields rather than a crash")
    func garbage() {
        let file = AsteriskMessageFile(data: Data([0x00, 0xFF, 0x3D, 0x0A, 0x3D, 0x3D]))
        #expect(file.origtime == nil)
    }
}

@Suite("Asterisk callerid")
struct AsteriskCallerIDTests {
    @Test(
        "shapes ast_callerid_merge writes, and others seen in the wild",
        arguments: [
            (#""Jane O\"Brien" <+15551234567>"#, "Jane O\"Brien", "+15551234567"),
            (#""Back\\slash" <100>"#, "Back\\slash", "100"),
            ("Jane Doe <5551234567>", "Jane Doe", "5551234567"),
            ("<5551234567>", nil, "5551234567"),
            ("Jane Doe", "Jane Doe", nil),
            ("+1 (555) 123-4567", nil, "+1 (555) 123-4567"),
            ("Unknown", nil, nil),
            ("", nil, nil),
            (#""Unknown" <Unknown>"#, nil, nil),
            (#""José Müller" <+4930123456>"#, "José Müller", "+4930123456"),
            (#""Unterminated <5551234567>"#, "Unterminated <5551234567>", nil),
        ] as [(String, String?, String?)])
    func parses(_ value: String, name: String?, number: String?) {
        let parsed = AsteriskCallerID.parse(value)
        #expect(parsed.name == name)
        #expect(parsed.number == number)
    }
}
