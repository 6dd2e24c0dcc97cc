import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum SessionColumns {
  static let weekdays = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
  static let all: [Listing<SessionListing>.Column] = [
    .init(header: tr("ID"), alignRight: true) { .integer($0.id.rawValue) },
    .init(header: tr("DATE"), formats: [.table]) { "\(weekdays[$0.day.weekday - 1]) \(Reader.date($0.day))" },
    .init(header: tr("DATE"), formats: [.csv, .xlsx]) { .date($0.day) },
    .init(header: tr("WEEKDAY"), formats: [.xlsx]) { weekdays[$0.day.weekday - 1] },
    .init(header: tr("TIME")) { "\($0.startsAt)–\($0.endsAt)" },
    .init(header: tr("MODULE")) { "\($0.module) \($0.moduleTitle)" },
    .init(header: tr("UE"), alignRight: true) { .integer(Int64($0.ue)) },
    .init(header: tr("TRAINERS")) { $0.trainers.joined(separator: ", ") },
    .init(header: tr("LOCATION")) { $0.location ?? "" },
  ]
}
