@file:JvmName("DispatcherChecks")

package dev.stackquery.internal.common

import kotlinx.coroutines.CoroutineDispatcher
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext

/**
 * [context] if its dispatcher dispatches (or it has none, so a default is added); otherwise an
 * [IllegalArgumentException] `"<field> must have a dispatching dispatcher, was <dispatcher>: an
 * unconfined one would <consequence>"`. Unconfined dispatchers (`Dispatchers.Unconfined`,
 * `UnconfinedTestDispatcher`) run a resumed coroutine inline, on the thread that resumes it:
 * background work given one would run inside its callers (their locks, their blocking calls).
 */
@InternalStackQueryApi
public fun requireDispatching(context: CoroutineContext, field: String, consequence: String): CoroutineContext {
    val dispatcher = context[ContinuationInterceptor] as? CoroutineDispatcher
    require(dispatcher == null || dispatcher.isDispatchNeeded(EmptyCoroutineContext)) {
        "$field must have a dispatching dispatcher, was $dispatcher: an unconfined one would $consequence"
    }
    return context
}
