package dev.stackquery.storage.exposed

/** [block]'s last value once it is empty, or after 10 s of bounded polling (threads take a moment to end). */
internal fun <E> eventuallyEmpty(block: () -> Set<E>): Set<E> {
    val deadline = System.nanoTime() + 10_000_000_000L
    var last = block()
    while (last.isNotEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100)
        last = block()
    }
    return last
}
