import BeccariaStore
import Foundation
import TestSupport
import Testing

@testable import Issuance

/// The bookkeeping that lets a run's batches be stamped before they take their serial numbers.
@Suite struct SerialExpectationTests {
  @Test func batchesExpectTheNumbersAfterTheLastOneTaken() {
    let expectation = SerialExpectation()
    // Nothing known yet: the first batch is stamped after taking its numbers.
    let first = expectation.ticket(year: 2026, count: 50)
    #expect(first.expectedFirst == nil)
    expectation.finished(first, first: 101)
    // From then on each batch expects the numbers after the one before it, in ticket order.
    let second = expectation.ticket(year: 2026, count: 50)
    let third = expectation.ticket(year: 2026, count: 20)
    #expect(second.expectedFirst == 151)
    #expect(third.expectedFirst == 201)
    // Another year has its own counter.
    #expect(expectation.ticket(year: 2027, count: 5).expectedFirst == nil)
  }

  @Test func anExpectationThatFailsIsForgottenUntilNoBatchIsWaiting() {
    let expectation = SerialExpectation()
    let first = expectation.ticket(year: 2026, count: 10)
    expectation.finished(first, first: 1)
    let second = expectation.ticket(year: 2026, count: 10)
    let third = expectation.ticket(year: 2026, count: 10)
    #expect(second.expectedFirst == 11)
    #expect(third.expectedFirst == 21)
    // Someone else took number 11: the second batch got 12, so the third expects wrongly (it is
    // stamped again), and a batch asking now gets no expectation.
    expectation.finished(second, first: 12)
    let fourth = expectation.ticket(year: 2026, count: 10)
    #expect(fourth.expectedFirst == nil)
    expectation.finished(third, first: 22)
    // The fourth batch gives up before taking numbers (say its rendering failed): the fifth
    // has no expectation either; once it has its numbers, expectations resume after them.
    expectation.finished(fourth, first: nil)
    let fifth = expectation.ticket(year: 2026, count: 10)
    #expect(fifth.expectedFirst == nil)
    expectation.finished(fifth, first: 32)
    #expect(expectation.ticket(year: 2026, count: 1).expectedFirst == 42)
  }

  @Test func aBatchWaitsForTheBatchesBeforeIt() async throws {
    let expectation = SerialExpectation()
    let first = expectation.ticket(year: 2026, count: 1)
    let second = expectation.ticket(year: 2026, count: 1)
    let order = Recording()
    let waiting = Task.detached {
      expectation.waitForTurn(second)
      order.append("second")
    }
    try await Task.sleep(for: .milliseconds(200))
    order.append("first")
    expectation.finished(first, first: 1)
    await waiting.value
    expectation.finished(second, first: 2)
    #expect(order.values == ["first", "second"])
  }
}
