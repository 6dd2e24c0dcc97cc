import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum EnrolmentColumns {
  static let roster: [Listing<EnrolmentListing>.Column] = [
    .init(header: tr("ID"), alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: tr("NAME")) { $0.participant },
    .init(header: tr("MUNICIPALITY")) { $0.municipality ?? "" },
    .init(header: tr("ORGANISATION")) { $0.organisation ?? "" },
    .init(header: tr("BOOKED")) { booked($0) },
  ]
  static let waiting: [Listing<EnrolmentListing>.Column] = [
    .init(header: tr("POS"), alignRight: true) { position($0) },
    .init(header: tr("ID"), alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: tr("NAME")) { $0.participant },
    .init(header: tr("MUNICIPALITY")) { $0.municipality ?? "" },
    .init(header: tr("SINCE")) { .dateTime($0.requestedAt) },
  ]
  static let all: [Listing<EnrolmentListing>.Column] = [
    .init(header: tr("ID"), alignRight: true) { .integer($0.participantID.rawValue) },
    .init(header: tr("NAME")) { $0.participant },
    .init(header: tr("STATUS")) { .term($0.status.rawValue) },
    .init(header: tr("POS"), alignRight: true) { position($0) },
    .init(header: tr("BOOKED")) { booked($0) },
    .init(header: tr("MUNICIPALITY")) { $0.municipality ?? "" },
    .init(header: tr("REQUESTED")) { .dateTime($0.requestedAt) },
    .init(header: tr("NOTE")) { $0.endReason ?? "" },
  ]
  static let forParticipant: [Listing<EnrolmentListing>.Column] = [
    .init(header: tr("COHORT")) { $0.course },
    .init(header: tr("STATUS")) { enrolment in
      let position = enrolment.waitingPosition.map { " (#\($0))" } ?? ""
      return Term.word(enrolment.status.rawValue) + position
    },
    .init(header: tr("BOOKED")) { booked($0) },
    .init(header: tr("REQUESTED")) { .dateTime($0.requestedAt) },
    .init(header: tr("NOTE")) { $0.endReason ?? "" },
  ]

  static func position(_ enrolment: EnrolmentListing) -> String {
    enrolment.waitingPosition.map { String($0) } ?? ""
  }

  static func booked(_ enrolment: EnrolmentListing) -> String {
    enrolment.scope == .programme
      ? Term.word("programme") : tr("module %@", enrolment.modules.map(String.init).joined(separator: ", "))
  }
}
