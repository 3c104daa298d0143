package dev.stackquery.sample.javashop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The Java sample's client of the shop API ({@link dev.stackquery.sample.DemoServer}): real HTTP
 * through the JDK's asynchronous {@link HttpClient}, so every call returns a
 * {@link CompletableFuture} and no thread waits for the network; JSON through {@link MiniJson}.
 * An answer other than 2xx fails the future with an {@link ApiException}.
 */
public final class JavaShopApi {
    public record User(int id, String name) {
        static User fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            return new User(((Long) f.get("id")).intValue(), (String) f.get("name"));
        }
    }

    public record Stock(String sku, int available) {
        static Stock fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            return new Stock((String) f.get("sku"), ((Long) f.get("available")).intValue());
        }
    }

    public record Order(int id, String status) {
        static Order fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            return new Order(((Long) f.get("id")).intValue(), (String) f.get("status"));
        }
    }

    public record Product(int id, String name, int priceCents) {
        static Product fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            return new Product(((Long) f.get("id")).intValue(), (String) f.get("name"), ((Long) f.get("priceCents")).intValue());
        }
    }

    /** One page of the catalog: its number, its products' names, and the next page's number ({@code null} on the last). */
    public record CatalogPage(int page, String names, Integer next) {
        static CatalogPage fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            Long next = (Long) f.get("next");
            return new CatalogPage(((Long) f.get("page")).intValue(), (String) f.get("names"),
                    next == null ? null : next.intValue());
        }
    }

    /** A country; persisted by the sample, so it has both directions of its JSON form. */
    public record Country(String code, String name, String currency) {
        public String toJson() {
            return MiniJson.object("code", code, "name", name, "currency", currency);
        }

        public static Country fromJson(String json) {
            Map<String, Object> f = MiniJson.parseObject(json);
            return new Country((String) f.get("code"), (String) f.get("name"), (String) f.get("currency"));
        }
    }

    /** An HTTP answer other than 2xx: its status and the server's error message. */
    public static final class ApiException extends RuntimeException {
        private final int status;

        public ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI baseUri;

    public JavaShopApi(URI baseUri) {
        this.baseUri = baseUri;
    }

    /** An uncounted call that loads the HTTP client's classes and opens a connection. */
    public CompletableFuture<Void> ping() {
        return send(request("ping").GET()).thenAccept(body -> { });
    }

    public CompletableFuture<User> user(int id) {
        return send(request("users/" + id).GET()).thenApply(User::fromJson);
    }

    public CompletableFuture<User> renameUser(int id, String name) {
        String body = MiniJson.object("name", name);
        return send(request("users/" + id).PUT(HttpRequest.BodyPublishers.ofString(body))).thenApply(User::fromJson);
    }

    public CompletableFuture<Stock> stock(String sku) {
        return send(request("stock/" + sku).GET()).thenApply(Stock::fromJson);
    }

    public CompletableFuture<Order> order(int id) {
        return send(request("orders/" + id).GET()).thenApply(Order::fromJson);
    }

    public CompletableFuture<Product> product(int id) {
        return send(request("products/" + id).GET()).thenApply(Product::fromJson);
    }

    public CompletableFuture<CatalogPage> catalog(int page) {
        return send(request("catalog/" + page).GET()).thenApply(CatalogPage::fromJson);
    }

    public CompletableFuture<Country> country(String code) {
        return send(request("countries/" + code).GET()).thenApply(Country::fromJson);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(baseUri.resolve(path)).timeout(Duration.ofSeconds(5)).header("Accept", "application/json");
    }

    private CompletableFuture<String> send(HttpRequest.Builder request) {
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                String message;
                try {
                    message = (String) MiniJson.parseObject(response.body()).get("error");
                } catch (IllegalArgumentException | ClassCastException e) {
                    message = response.body();
                }
                throw new ApiException(response.statusCode(), message);
            }
            return response.body();
        });
    }
}
