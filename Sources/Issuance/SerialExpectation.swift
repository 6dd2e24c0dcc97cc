import BeccariaStore
import Files
import Foundation
import Signing

/// The serial numbers a run's workers expect to be given, so that each can seal, sign and stamp
/// its batch before it takes the serial counter's lock (which it then holds until commit).
///
/// The numbers are still taken from the counter under its lock, as always; an expectation only
/// says which numbers to prepare the documents for. Workers take the lock in the order they
/// asked for expectations (each waits for the one before it to have taken its numbers), so within
/// one run the expectations come true. When they do not (another run or a re-issue took numbers
/// in between, or an earlier batch gave up), the batch is sealed and stamped again under the lock,
/// with the numbers it was given.
final class SerialExpectation: @unchecked Sendable {
  /// One batch's place in the order, and the first number it expects (nil: no expectation yet).
  struct Ticket: Sendable {
    let number: Int
    let year: Int
    let count: Int
    let expectedFirst: Int?
  }

  private let condition = NSCondition()
  /// Tickets handed out, and tickets whose batches have taken their numbers or given up.
  private var handedOut = 0
  private var done = 0
  /// The first number the next batch of a year can expect.
  private var next: [Int: Int] = [:]

  /// No expectation until a batch has taken its numbers.
  init() {}

  /// The first batch of `year` can expect `first`: the counter's next number when the run began.
  init(year: Int, first: Int) { next[year] = first }

  /// A place in the order for a batch of `count` certificates of `year`.
  func ticket(year: Int, count: Int) -> Ticket {
    condition.lock()
    defer { condition.unlock() }
    let ticket = Ticket(number: handedOut, year: year, count: count, expectedFirst: next[year])
    handedOut += 1
    if let first = ticket.expectedFirst { next[year] = first + count }
    return ticket
  }

  /// Waits until every batch with an earlier ticket has taken its numbers or given up.
  func waitForTurn(_ ticket: Ticket) {
    condition.lock()
    defer { condition.unlock() }
    while done < ticket.number { condition.wait() }
  }

  /// The batch has taken its numbers (`first` of them), or given up (nil): the next ticket's
  /// turn. Called once for every ticket; waits for the ticket's turn first, so that a batch that
  /// gives up early keeps its place.
  func finished(_ ticket: Ticket, first: Int?) {
    condition.lock()
    defer { condition.unlock() }
    while done < ticket.number { condition.wait() }
    let outstanding = handedOut - done - 1
    if let first, outstanding == 0 {
      next[ticket.year] = first + ticket.count
    } else if first == nil || first != ticket.expectedFirst {
      // The batches behind this one expect the wrong numbers (they are stamped again once they
      // have theirs); the last of them to finish sets the expectation right.
      next[ticket.year] = nil
    }
    done += 1
    condition.broadcast()
  }
}
