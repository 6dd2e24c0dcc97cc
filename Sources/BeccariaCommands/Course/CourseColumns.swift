import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum CourseColumns {
  static let all: [Listing<CourseListing>.Column] = [
    .init(header: tr("CODE")) { $0.code },
    .init(header: tr("TITLE")) { $0.title },
    .init(header: tr("PROGRAMME")) { "\($0.programme) v\($0.programmeVersion)" },
    .init(header: tr("PLACES"), alignRight: true) { "\($0.enrolled)/\($0.capacity)" },
    .init(header: tr("WAITING"), alignRight: true) { .integer(Int64($0.waiting)) },
    .init(header: tr("SESSIONS"), alignRight: true) { .integer(Int64($0.sessions)) },
    .init(header: tr("FROM")) { $0.startsOn.map(Cell.date) ?? .empty },
    .init(header: tr("TO")) { $0.endsOn.map(Cell.date) ?? .empty },
    .init(header: tr("STATUS")) { .term($0.status.rawValue) },
  ]
}
