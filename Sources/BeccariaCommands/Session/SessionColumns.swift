import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum SessionColumns {
  static let weekdays = [tr("Mon"), tr("Tue"), tr("Wed"), tr("Thu"), tr("Fri"), tr("Sat"), tr("Sun")]
  static let all: [Listing<SessionListing>.Column] = [
    .init(header: "ID", alignRight: true) { .integer($0.id.rawValue) },
    .init(header: "DATE", formats: [.table]) { "\(weekdays[$0.day.weekday - 1]) \(Reader.date($0.day))" },
    .init(header: "DATE", formats: [.csv, .xlsx]) { .date($0.day) },
    .init(header: "WEEKDAY", formats: [.xlsx]) { weekdays[$0.day.weekday - 1] },
    .init(header: "TIME") { "\($0.startsAt)–\($0.endsAt)" },
    .init(header: "MODULE") { "\($0.module) \($0.moduleTitle)" },
    .init(header: "UE", alignRight: true) { .integer(Int64($0.ue)) },
    .init(header: "TRAINERS") { $0.trainers.joined(separator: ", ") },
    .init(header: "LOCATION") { $0.location ?? "" },
  ]
}
