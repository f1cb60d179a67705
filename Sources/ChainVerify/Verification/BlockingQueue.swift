import Foundation

/// A bounded first-in first-out queue between threads; `put` and `take` block.
///
/// The bound is the number of items in flight, which is what keeps the verifier's memory flat.
final class BlockingQueue<Element>: @unchecked Sendable {
    // All state is guarded by `condition`.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0

    init() {}

    /// Adds an item and wakes a taker.
    func put(_ item: Element) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// Removes the oldest item, waiting for one.
    func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count { condition.wait() }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}
