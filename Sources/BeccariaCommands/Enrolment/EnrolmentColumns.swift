import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum EnrolmentColumns {
  static let roster: [Listing<EnrolmentListing>.Column] = [
    .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: "NAME") { $0.participant },
    .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
    .init(header: "ORGANISATION") { $0.organisation ?? "" },
    .init(header: "BOOKED") { booked($0) },
  ]
  static let waiting: [Listing<EnrolmentListing>.Column] = [
    .init(header: "POS", alignRight: true) { position($0) },
    .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: "NAME") { $0.participant },
    .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
    .init(header: "SINCE") { .dateTime($0.requestedAt) },
  ]
  static let all: [Listing<EnrolmentListing>.Column] = [
    .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: "NAME") { $0.participant },
    .init(header: "STATUS") { .term($0.status.rawValue) },
    .init(header: "POS", alignRight: true) { position($0) },
    .init(header: "BOOKED") { booked($0) },
    .init(header: "MUNICIPALITY") { $0.municipality ?? "" },
    .init(header: "REQUESTED") { .dateTime($0.requestedAt) },
    .init(header: "NOTE") { $0.endReason ?? "" },
  ]
  static let forParticipant: [Listing<EnrolmentListing>.Column] = [
    .init(header: "COHORT") { $0.course },
    .init(header: "STATUS") { enrolment in
      let position = enrolment.waitingPosition.map { " (#\($0))" } ?? ""
      return Cell.localised(
        machine: enrolment.status.rawValue + position, human: Term.word(enrolment.status.rawValue) + position)
    },
    .init(header: "BOOKED") { booked($0) },
    .init(header: "REQUESTED") { .dateTime($0.requestedAt) },
    .init(header: "NOTE") { $0.endReason ?? "" },
  ]

  static func position(_ enrolment: EnrolmentListing) -> Cell {
    enrolment.waitingPosition.map { .integer(Int64($0)) } ?? .empty
  }

  static func booked(_ enrolment: EnrolmentListing) -> Cell {
    let modules = enrolment.modules.map(String.init).joined(separator: ", ")
    return enrolment.scope == .programme
      ? .term("programme") : .localised(machine: "module " + modules, human: tr("module %@", modules))
  }
}
