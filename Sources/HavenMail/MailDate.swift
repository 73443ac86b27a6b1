import Foundation

/// RFC 5322 dates, including the obsolete forms (RFC 5322 §4.3) and the usual mistakes: no day name or a wrong
/// one, two- or three-digit years, no seconds, named and military zones, a trailing "(PST)" comment, one-digit
/// fields, and ISO 8601 from scripts.
public enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7,
        "pst": -8, "bst": 1, "cet": 1, "cest": 2, "wet": 0, "west": 1, "eet": 2, "eest": 3, "brt": -3, "ast": 3,
    ]

    public static func parse(_ raw: String?) -> Date? {
        guard let raw else { return nil }
        // Drop comments, then split into words on spaces and commas.
        var text = ""
        var depth = 0
        for char in raw {
            if char == "(" { depth += 1 } else if char == ")" { depth = max(0, depth - 1) } else if depth == 0 { text.append(char) }
        }
        let trimmed = text.trimmed()
        if trimmed.first?.isNumber == true, trimmed.containsUTF8("T"), let iso = try? Date(trimmed, strategy: .iso8601) { return iso }
        var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if let first = words.first, first.count >= 3, first.allSatisfy(\.isLetter), !months.contains(String(first.prefix(3))) {
            words.removeFirst()  // the day name, whatever it says
        }
        var day: Int?, month: Int?, year: Int?, time: [Int]?, offsetMinutes = 0
        for word in words {
            if let m = months.firstIndex(of: String(word.prefix(3))), word.allSatisfy(\.isLetter), month == nil {
                month = m + 1
            } else if word.utf8.contains(UInt8(ascii: ":")) {
                let parts = word.split(separator: ":").map { Int($0) }
                guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
                time = parts.map { $0! }
            } else if (word.hasPrefix("+") || word.hasPrefix("-")), word.count == 5, let value = Int(word.dropFirst()) {
                offsetMinutes = (word.hasPrefix("-") ? -1 : 1) * (value / 100 * 60 + value % 100)
            } else if let hours = zones[word] {
                offsetMinutes = hours * 60
            } else if let number = Int(word) {
                if day == nil, number >= 1, number <= 31, year == nil || month != nil { day = number } else if year == nil { year = number }
            } else if word.count == 1, word.first!.isLetter {
                offsetMinutes = 0  // military zones: RFC 5322 says treat as -0000
            }
        }
        guard let day, let month, var year else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }  // "99" → 1999, "126" → 2026 (obsolete forms)
        let clock = time ?? [0, 0, 0]
        let second = clock.count > 2 ? clock[2] : 0
        let daysInMonth = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(second), day <= daysInMonth[month - 1],
            (1000...9999).contains(year) else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + clock[0] * 3_600 + clock[1] * 60 + second - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): no Calendar needed.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
