import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum CourseColumns {
  static let all: [Listing<CourseListing>.Column] = [
    .init(header: "CODE") { $0.code },
    .init(header: "TITLE") { $0.title },
    .init(header: "PROGRAMME") { "\($0.programme) v\($0.programmeVersion)" },
    .init(header: "PLACES", alignRight: true) { "\($0.enrolled)/\($0.capacity)" },
    .init(header: "WAITING", alignRight: true) { .integer(Int64($0.waiting)) },
    .init(header: "SESSIONS", alignRight: true) { .integer(Int64($0.sessions)) },
    .init(header: "FROM") { $0.startsOn.map(Cell.date) ?? .empty },
    .init(header: "TO") { $0.endsOn.map(Cell.date) ?? .empty },
    .init(header: "STATUS") { .term($0.status.rawValue) },
  ]
}
