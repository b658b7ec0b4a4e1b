package dev.streamtune.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A secured {@link EmbeddedKafkaBroker}: its one client listener speaks SASL_SSL, every client authenticates with
 * SCRAM-SHA-512, and the KRaft {@code StandardAuthorizer} allows only what {@link #acls} grant
 * ({@code allow.everyone.if.no.acl.found=false}).
 *
 * <p>The broker's own principal ({@link #superUser}) is the only super user. It authenticates with SASL/PLAIN,
 * whose one account lives in the broker's JAAS configuration, so that the broker can reach itself (transaction
 * markers, the controller) and create the SCRAM users before any SCRAM credential exists. The controller
 * listener is SASL_PLAINTEXT with the same account. Clients never get PLAIN accounts.
 *
 * @param keystore           PKCS12 key store with the broker's certificate and key (its names must match the host)
 * @param keystorePassword   password of the key store and of its key
 * @param truststore         PKCS12 trust store the broker trusts its own certificate with (it is its own client)
 * @param truststorePassword password of the trust store
 * @param superUser          the broker's principal name ({@code User:<superUser>} is the super user)
 * @param superUserPassword  its PLAIN password
 * @param users              SCRAM-SHA-512 users by name, with their passwords; created at start
 * @param acls               the ACLs created at start (the super user needs none)
 */
public record BrokerSecurity(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
        String superUser, String superUserPassword, Map<String, String> users, List<AclBinding> acls) {

    /** The one SASL mechanism clients use. */
    public static final String CLIENT_MECHANISM = "SCRAM-SHA-512";
    /** SCRAM iterations of the users' credentials (Kafka's minimum is 4096). */
    public static final int SCRAM_ITERATIONS = 8192;
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public BrokerSecurity {
        requireReadable("keystore", keystore);
        requireReadable("truststore", truststore);
        requirePassword("keystorePassword", keystorePassword);
        requirePassword("truststorePassword", truststorePassword);
        requireUserName("superUser", superUser);
        requirePassword("superUserPassword", superUserPassword);
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(acls, "acls");
        users.forEach((name, password) -> {
            requireUserName("users key", name);
            requirePassword("password of user " + name, password);
            if (name.equals(superUser)) {
                throw new IllegalArgumentException("users must not contain the super user " + superUser
                        + " (it authenticates with PLAIN, not SCRAM)");
            }
        });
        users = Map.copyOf(new TreeMap<>(users));
        acls = List.copyOf(acls);
    }

    /** The same broker with {@code extra} users added to {@link #users}. */
    public BrokerSecurity withUsers(Map<String, String> extra) {
        Map<String, String> all = new TreeMap<>(users);
        all.putAll(extra);
        return new BrokerSecurity(keystore, keystorePassword, truststore, truststorePassword, superUser,
                superUserPassword, all, acls);
    }

    /**
     * The broker settings for a SASL_SSL client listener named {@code clientListener} (also the inter-broker one)
     * and a SASL_PLAINTEXT controller listener named {@code controllerListener}.
     */
    Map<String, String> serverProperties(String clientListener, String controllerListener) {
        String client = clientListener.toLowerCase(java.util.Locale.ROOT);
        String controller = controllerListener.toLowerCase(java.util.Locale.ROOT);
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + superUser
                + "\" password=\"" + superUserPassword + "\" user_" + superUser + "=\"" + superUserPassword + "\";";
        Map<String, String> props = new TreeMap<>();
        props.put("listener.security.protocol.map", clientListener + ":SASL_SSL," + controllerListener + ":SASL_PLAINTEXT");
        props.put("listener.name." + client + ".sasl.enabled.mechanisms", CLIENT_MECHANISM + ",PLAIN");
        props.put("listener.name." + client + ".plain.sasl.jaas.config", plain);
        props.put("listener.name." + client + ".scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name." + controller + ".plain.sasl.jaas.config", plain);
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        props.put("ssl.keystore.password", keystorePassword);
        props.put("ssl.key.password", keystorePassword);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        props.put("ssl.truststore.password", truststorePassword);
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:" + superUser);
        props.put("allow.everyone.if.no.acl.found", "false");
        return props;
    }

    /** Client settings of the super user (SASL_SSL, PLAIN): what the broker's own admin client uses. */
    public Map<String, String> superUserClient() {
        Map<String, String> props = trustSettings();
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + superUser + "\" password=\"" + superUserPassword + "\";");
        return props;
    }

    /** Client settings of one of {@link #users} (SASL_SSL, SCRAM-SHA-512), with the trust store. */
    public Map<String, String> userClient(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user '" + user + "'; the users are " + users.keySet());
        }
        Map<String, String> props = trustSettings();
        props.put("sasl.mechanism", CLIENT_MECHANISM);
        props.put("sasl.jaas.config", scramJaas(user, password));
        return props;
    }

    /** SASL_SSL trusting the broker's certificate, with no credentials yet. */
    public Map<String, String> trustSettings() {
        Map<String, String> props = new TreeMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        props.put("ssl.truststore.password", truststorePassword);
        return props;
    }

    /** JAAS configuration of a SCRAM login, as {@code sasl.jaas.config} takes it. */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static void requireReadable(String field, Path path) {
        if (path == null || !Files.isReadable(path)) {
            throw new IllegalArgumentException(field + " must be a readable PKCS12 file, got " + path);
        }
    }

    private static void requirePassword(String field, String password) {
        if (password == null || password.length() < 6) {
            throw new IllegalArgumentException(field + " must have at least 6 characters");
        }
        if (password.contains("\"") || password.contains("\\")) {
            throw new IllegalArgumentException(field + " must not contain quotes or backslashes (it goes into JAAS)");
        }
    }

    private static void requireUserName(String field, String name) {
        if (name == null || !USER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1 to 64 characters of [A-Za-z0-9._-], got '" + name + "'");
        }
    }
}
