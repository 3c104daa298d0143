package dev.stackquery.sample

import dev.stackquery.sample.javashop.JavaShopSample

/** The Java tour (`JavaShopSample`, the README's Java quick start) against [ShopTourContract]. */
class JavaShopSampleSpec : ShopTourContract("Java", { args, out -> JavaShopSample.run(args, out) })
