package dev.celeriac.testsupport.broker;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach one virtual host of the test broker.
 *
 * @param host broker host
 * @param port AMQP port
 * @param username user name
 * @param password password
 * @param virtualHost virtual host
 */
public record RabbitEndpoint(String host, int port, String username, String password, String virtualHost) {

    /** The AMQP URI, e.g. {@code amqp://guest:guest@127.0.0.1:5672/my-vhost}. */
    public String uri() {
        return "amqp://" + enc(username) + ":" + enc(password) + "@" + host + ":" + port + "/" + enc(virtualHost);
    }

    /** A RabbitMQ Java client connection factory for this endpoint. */
    public ConnectionFactory connectionFactory() {
        var factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setVirtualHost(virtualHost);
        return factory;
    }

    /** Spring Boot properties ({@code spring.rabbitmq.*}) that point an application at this endpoint. */
    public Map<String, String> springProperties() {
        var properties = new LinkedHashMap<String, String>();
        properties.put("spring.rabbitmq.host", host);
        properties.put("spring.rabbitmq.port", Integer.toString(port));
        properties.put("spring.rabbitmq.username", username);
        properties.put("spring.rabbitmq.password", password);
        properties.put("spring.rabbitmq.virtual-host", virtualHost);
        return properties;
    }

    /** The same broker, another virtual host. */
    public RabbitEndpoint withVirtualHost(String name) {
        return new RabbitEndpoint(host, port, username, password, name);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "amqp://" + username + "@" + host + ":" + port + "/" + virtualHost;
    }
}
