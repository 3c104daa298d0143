package dev.stackquery.internal.common

/**
 * Marks the declarations of `dev.stackquery.internal.common`: helpers that StackQuery's own
 * modules (the core and the storage modules) share, so that each lives once instead of being
 * copied. They are `public` only because a Kotlin `internal` declaration cannot cross modules.
 *
 * **Users of StackQuery must not use them.** They are not part of the public API: they may change
 * or disappear in any release, without deprecation. Using one is a compile error unless the
 * caller opts in (`@OptIn(InternalStackQueryApi::class)`), which only StackQuery's modules do,
 * like OkHttp's `okhttp3.internal` or kotlinx.coroutines' `@InternalCoroutinesApi`.
 */
@RequiresOptIn(
    level = RequiresOptIn.Level.ERROR,
    message = "internal StackQuery API for its own modules; it may change without notice",
)
@Retention(AnnotationRetention.BINARY)
@Target(
    AnnotationTarget.CLASS,
    AnnotationTarget.FUNCTION,
    AnnotationTarget.PROPERTY,
    AnnotationTarget.CONSTRUCTOR,
    AnnotationTarget.TYPEALIAS,
)
public annotation class InternalStackQueryApi
