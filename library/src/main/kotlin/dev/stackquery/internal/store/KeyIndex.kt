package dev.stackquery.internal.store

import dev.stackquery.QueryKey
import dev.stackquery.internal.query.Query

/**
 * A trie over key segments: finds every query whose key starts with a prefix in time proportional
 * to the prefix length plus the number of queries found, whatever the size of the cache.
 *
 * Not thread-safe: [QueryStore] guards it with its lock. Empty branches are pruned on removal, so
 * the trie holds no more nodes than the keys it indexes need.
 */
internal class KeyIndex {
    private class Node {
        var children: HashMap<Any, Node>? = null
        var query: Query<*>? = null
        val isEmpty: Boolean get() = query == null && children.isNullOrEmpty()
    }

    private val root = Node()

    fun add(query: Query<*>) {
        var node = root
        for (i in 0 until query.key.size) {
            val segment = query.key[i]
            val children = node.children ?: HashMap<Any, Node>(4).also { node.children = it }
            node = children.getOrPut(segment) { Node() }
        }
        node.query = query
    }

    /** Removes [query] if it is the one indexed under its key; prunes branches left empty. */
    fun remove(query: Query<*>) {
        val key = query.key
        val path = arrayOfNulls<Node>(key.size + 1)
        path[0] = root
        for (i in 0 until key.size) {
            path[i + 1] = path[i]!!.children?.get(key[i]) ?: return
        }
        val leaf = path[key.size]!!
        if (leaf.query !== query) return
        leaf.query = null
        for (i in key.size downTo 1) {
            if (!path[i]!!.isEmpty) break
            path[i - 1]!!.children!!.remove(key[i - 1])
        }
    }

    /** Adds every query whose key starts with [prefix] to [out]. */
    fun collect(prefix: QueryKey, out: MutableList<Query<*>>) {
        var node = root
        for (i in 0 until prefix.size) node = node.children?.get(prefix[i]) ?: return
        collectAll(node, out)
    }

    private fun collectAll(start: Node, out: MutableList<Query<*>>) {
        val stack = ArrayDeque<Node>()
        stack.addLast(start)
        while (stack.isNotEmpty()) {
            val node = stack.removeLast()
            node.query?.let(out::add)
            node.children?.values?.let(stack::addAll)
        }
    }
}
