package dev.stackquery.sample

import dev.stackquery.sample.shop.runShopSample

/** The Kotlin tour (`ShopSampleKt`, the README's "run it" command) against [ShopTourContract]. */
class ShopSampleSpec : ShopTourContract("Kotlin", ::runShopSample)
