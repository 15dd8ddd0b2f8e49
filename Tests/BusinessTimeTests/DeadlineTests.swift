@testable import BusinessTime
import Foundation
import Testing

@Suite("Deadlines worked out by hand")
struct DeadlineTests {
    let newYork = "America/New_York"

    @Test("left after closing: counting starts at the next opening")
    func afterClosing() throws {
        let schedule = try hours(newYork, everyWeekday(["08:00-17:00"]))
        // Friday 17:35 → Monday 08:00 + 2h.
        #expect(iso(schedule.deadline(from: at("2026-11-20T17:35:00-05:00"), within: 7200), schedule.timeZone) == "2026-11-23T10:00:00-05:00")
        // Tuesday 16:30 + 2h: 30 minutes today, 90 tomorrow.
        #expect(iso(schedule.deadline(from: at("2026-11-24T16:30:00-05:00"), within: 7200), schedule.timeZone) == "2026-11-25T09:30:00-05:00")
    }

    @Test("an exact fill ends at the closing time, not the next opening")
    func exactFill() throws {
        let schedule = try hours(newYork, everyWeekday(["08:00-12:00", "13:00-17:00"]))
        #expect(iso(schedule.deadline(from: at("2026-11-23T10:00:00-05:00"), within: 7200), schedule.timeZone) == "2026-11-23T12:00:00-05:00")
        #expect(iso(schedule.deadline(from: at("2026-11-23T10:00:00-05:00"), within: 7201), schedule.timeZone) == "2026-11-23T13:00:01-05:00")
        // Friday: fill to 17:00 exactly.
        #expect(iso(schedule.deadline(from: at("2026-11-27T16:00:00-05:00"), within: 3600), schedule.timeZone) == "2026-11-27T17:00:00-05:00")
    }

    @Test("zero: the instant itself when open, else the next opening")
    func zero() throws {
        let schedule = try hours(newYork, everyWeekday(["08:00-12:00", "13:00-17:00"]))
        #expect(iso(schedule.deadline(from: at("2026-11-23T09:15:42-05:00"), within: 0), schedule.timeZone) == "2026-11-23T09:15:42-05:00")
        #expect(iso(schedule.deadline(from: at("2026-11-23T12:30:00-05:00"), within: 0), schedule.timeZone) == "2026-11-23T13:00:00-05:00")
        #expect(iso(schedule.deadline(from: at("2026-11-23T12:00:00-05:00"), within: 0), schedule.timeZone) == "2026-11-23T13:00:00-05:00", "closing is exclusive")
    }

    @Test("New York spring forward 2024-03-10: a 24-hour Sunday is 23 hours long")
    func springForward() throws {
        let schedule = try hours(newYork, [.sunday: ["00:00-24:00"]])
        let sunday = at("2024-03-10T00:00:00-05:00")
        #expect(schedule.businessSeconds(from: sunday, to: at("2024-03-11T00:00:00-04:00")) == 23 * 3600)
        // 01:30 EST + 1h = 03:30 EDT (02:30 does not exist).
        #expect(iso(schedule.deadline(from: at("2024-03-10T01:30:00-05:00"), within: 3600), schedule.timeZone) == "2024-03-10T03:30:00-04:00")
        // Open until midnight, then closed for a week: 23h fills the Sunday exactly.
        #expect(iso(schedule.deadline(from: sunday, within: 23 * 3600), schedule.timeZone) == "2024-03-11T00:00:00-04:00")
        #expect(iso(schedule.deadline(from: sunday, within: 23 * 3600 + 1), schedule.timeZone) == "2024-03-17T00:00:01-04:00")
    }

    @Test("a start time that does not exist moves forward by the gap")
    func gapStart() throws {
        // Opens 02:30 on Sundays: on 2024-03-10 that is 03:30 EDT.
        let schedule = try hours(newYork, [.sunday: ["02:30-05:00"]])
        #expect(!schedule.isOpen(at: at("2024-03-10T03:29:59-04:00")))
        #expect(schedule.isOpen(at: at("2024-03-10T03:30:00-04:00")))
        #expect(schedule.businessSeconds(from: at("2024-03-10T00:00:00-05:00"), to: at("2024-03-11T00:00:00-04:00")) == 5400)
        #expect(schedule.nextChange(after: at("2024-03-10T00:00:00-05:00")) == at("2024-03-10T03:30:00-04:00"))
    }

    @Test("New York fall back 2024-11-03: a 24-hour Sunday is 25 hours; 01:30 is its first occurrence")
    func fallBack() throws {
        let schedule = try hours(newYork, [.sunday: ["00:00-24:00"]])
        #expect(schedule.businessSeconds(from: at("2024-11-03T00:00:00-04:00"), to: at("2024-11-04T00:00:00-05:00")) == 25 * 3600)
        let ambiguous = try hours(newYork, [.sunday: ["01:30-03:00"]])
        #expect(ambiguous.nextChange(after: at("2024-11-03T00:00:00-04:00")) == at("2024-11-03T01:30:00-04:00"))
        // 01:30 EDT to 03:00 EST is 2.5 hours of real time.
        #expect(ambiguous.businessSeconds(from: at("2024-11-03T00:00:00-04:00"), to: at("2024-11-04T00:00:00-05:00")) == 9000)
    }

    @Test("Europe/Berlin: the last Sunday of October 2024 has 25 hours")
    func berlin() throws {
        let schedule = try hours("Europe/Berlin", allWeek)
        #expect(schedule.businessSeconds(from: at("2024-10-27T00:00:00+02:00"), to: at("2024-10-28T00:00:00+01:00")) == 25 * 3600)
        let office = try hours("Europe/Berlin", everyWeekday(["09:00-17:00"]))
        // Friday 16:00 CEST + 2h across the transition weekend → Monday 10:00 CET.
        #expect(iso(office.deadline(from: at("2024-10-25T16:00:00+02:00"), within: 7200), office.timeZone) == "2024-10-28T10:00:00+01:00")
    }

    @Test("Asia/Kolkata's half-hour offset")
    func kolkata() throws {
        let schedule = try hours("Asia/Kolkata", everyWeekday(["10:00-18:00"]))
        #expect(iso(schedule.deadline(from: at("2026-11-23T04:00:00Z"), within: 3600), schedule.timeZone) == "2026-11-23T11:00:00+05:30", "04:00Z is 09:30 IST; opens 10:00")
        #expect(schedule.isOpen(at: at("2026-11-23T04:30:00Z")))
        #expect(!schedule.isOpen(at: at("2026-11-23T04:29:59Z")))
    }

    @Test("Australia/Lord_Howe's 30-minute daylight saving: 2024-10-06 loses half an hour")
    func lordHowe() throws {
        let schedule = try hours("Australia/Lord_Howe", allWeek)
        // 02:00 +10:30 becomes 02:30 +11:00.
        #expect(schedule.businessSeconds(from: at("2024-10-06T00:00:00+10:30"), to: at("2024-10-07T00:00:00+11:00")) == 23 * 3600 + 1800)
        let night = try hours("Australia/Lord_Howe", [.sunday: ["01:00-03:00"]])
        #expect(night.businessSeconds(from: at("2024-10-06T00:00:00+10:30"), to: at("2024-10-07T00:00:00+11:00")) == 5400)
    }

    @Test("holidays across a year boundary, and a date with its own hours")
    func holidaysAndSpecialDays() throws {
        let schedule = try hours(
            newYork, everyWeekday(["09:00-17:00"]), holidays: ["2026-12-25", "2027-01-01"],
            special: ["2026-12-31": ["09:00-12:00"]])
        // Thursday Dec 24 16:00 + 2h: 1h Thursday, Friday 25th closed, weekend, Monday 28th 10:00.
        #expect(iso(schedule.deadline(from: at("2026-12-24T16:00:00-05:00"), within: 7200), schedule.timeZone) == "2026-12-28T10:00:00-05:00")
        // Thursday Dec 31 11:00 + 2h: 1h that morning, Friday Jan 1 closed, Monday Jan 4 10:00.
        #expect(iso(schedule.deadline(from: at("2026-12-31T11:00:00-05:00"), within: 7200), schedule.timeZone) == "2027-01-04T10:00:00-05:00")
        #expect(!schedule.isOpen(at: at("2026-12-31T13:00:00-05:00")))
        #expect(schedule.businessSeconds(from: at("2026-12-21T00:00:00-05:00"), to: at("2027-01-08T00:00:00-05:00")) == 91 * 3600, "32h + (24h + 3h) + 32h")
    }

    @Test("an overnight interval belongs to the day it starts")
    func overnight() throws {
        let schedule = try hours(newYork, [.saturday: ["22:00-02:00"]], holidays: ["2026-11-29"])
        #expect(schedule.isOpen(at: at("2026-11-29T01:59:59-05:00")), "Saturday's hours run into Sunday, even a Sunday holiday")
        #expect(!schedule.isOpen(at: at("2026-11-29T02:00:00-05:00")))
        #expect(iso(schedule.deadline(from: at("2026-11-28T12:00:00-05:00"), within: 3 * 3600), schedule.timeZone) == "2026-11-29T01:00:00-05:00")
        let saturdayHoliday = try hours(newYork, [.saturday: ["22:00-02:00"]], holidays: ["2026-11-28"])
        #expect(!saturdayHoliday.isOpen(at: at("2026-11-29T01:00:00-05:00")), "a holiday on the start day removes the whole interval")
    }

    @Test("24/7: deadlines are plain elapsed time; nothing ever changes")
    func allDayEveryDay() throws {
        let schedule = try hours(newYork, allWeek)
        let start = at("2024-03-09T12:00:00-05:00")
        #expect(schedule.deadline(from: start, within: 86_400) == start.addingTimeInterval(86_400), "23-hour days still count real seconds")
        #expect(schedule.nextChange(after: start) == nil)
    }

    @Test("far ahead: 2100")
    func farAhead() throws {
        let schedule = try hours(newYork, everyWeekday(["09:00-17:00"]))
        // 2100-03-12 is a Friday; New York springs forward on Sunday 2100-03-14.
        #expect(iso(schedule.deadline(from: at("2100-03-12T16:00:00-05:00"), within: 7200), schedule.timeZone) == "2100-03-15T10:00:00-04:00")
    }

    @Test("long durations skip whole weeks and agree with walking")
    func longDurations() throws {
        let schedule = try hours(
            newYork, everyWeekday(["08:00-12:00", "13:00-17:00"]), holidays: ["2026-12-25", "2027-01-01", "2027-05-31", "2027-07-05"],
            special: ["2026-12-24": ["08:00-12:00"]])
        let start = at("2026-11-20T17:35:00-05:00")
        for hoursOfWork in [1, 40, 41, 200, 1000, 2000] {
            let deadline = schedule.deadline(from: start, within: hoursOfWork * 3600)
            #expect(schedule.businessSeconds(from: start, to: deadline) == hoursOfWork * 3600, "\(hoursOfWork)h")
            #expect(schedule.businessSeconds(from: start, to: deadline.addingTimeInterval(-1)) == hoursOfWork * 3600 - 1)
        }
    }
}

@Suite("Schedule validation")
struct ScheduleValidationTests {
    @Test("24:00 is an end; 24:01 is refused")
    func endOfDay() throws {
        #expect(try OpeningInterval(parsing: "00:00-24:00").localRange == (0, 86_400))
        #expect(throws: ScheduleError.self) { try OpeningInterval(parsing: "08:00-24:01") }
        #expect(throws: ScheduleError.self) { try OpeningInterval(parsing: "24:00-02:00") }
        #expect(throws: ScheduleError.self) { try OpeningInterval(parsing: "8-5") }
        #expect(throws: ScheduleError.self) { try OpeningInterval(parsing: "08:00-08:00") }
        #expect(throws: ScheduleError.self) { try LocalDate(parsing: "2026-02-29") }
    }

    @Test("overlaps and an empty week are refused with the key")
    func refusals() throws {
        #expect(throws: ScheduleError(key: "hours.mon", message: "intervals 08:00-12:00 and 11:00-13:00 overlap")) {
            try hours("UTC", [.monday: ["11:00-13:00", "08:00-12:00"]])
        }
        #expect(throws: ScheduleError(key: "hours.sat", message: "22:00-02:00 runs past midnight into sun's 01:00-05:00")) {
            try hours("UTC", [.saturday: ["22:00-02:00"], .sunday: ["01:00-05:00"]])
        }
        #expect(throws: ScheduleError(key: "hours", message: "there is no open time at all: every day is closed")) {
            try hours("UTC", [:])
        }
        let newYearsEve = try LocalDate(parsing: "2026-12-31")
        #expect(throws: ScheduleError(key: "holidays", message: "2026-12-31: intervals 08:00-12:00 and 10:00-14:00 overlap", date: newYearsEve)) {
            try hours("UTC", [.monday: ["09:00-17:00"]], special: ["2026-12-31": ["08:00-12:00", "10:00-14:00"]])
        }
        // Found by the reference test: a special day's overnight hours ran into the next day's.
        let special = try LocalDate(parsing: "2026-01-05")
        #expect(throws: ScheduleError(key: "holidays", message: "2026-01-05: 23:00-03:30 runs past midnight into 2026-01-06's 01:45-07:15", date: special)) {
            try hours("UTC", [.tuesday: ["01:45-07:15"]], special: ["2026-01-05": ["23:00-03:30"]])
        }
    }
}
