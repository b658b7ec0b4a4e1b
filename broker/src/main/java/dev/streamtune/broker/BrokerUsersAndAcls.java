package dev.streamtune.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the SCRAM users and ACLs of a {@link BrokerSecurity} as the super user, and waits until the broker serves
 * them: both travel through the KRaft metadata log, so a client started right after the request could otherwise
 * still be refused.
 */
final class BrokerUsersAndAcls {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerUsersAndAcls.class);

    private BrokerUsersAndAcls() {}

    static void apply(Map<String, Object> superUserClient, BrokerSecurity security, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(superUserClient)) {
            List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, BrokerSecurity.SCRAM_ITERATIONS);
            security.users().forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user, info, password)));
            if (!upserts.isEmpty()) {
                admin.alterUserScramCredentials(upserts).all().get(left(deadline), TimeUnit.MILLISECONDS);
            }
            if (!security.acls().isEmpty()) {
                admin.createAcls(security.acls()).all().get(left(deadline), TimeUnit.MILLISECONDS);
            }
            while (!served(admin, security, deadline)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not serve its " + security.users().size()
                            + " SCRAM users and " + security.acls().size() + " ACLs within " + timeout);
                }
                Thread.sleep(50);
            }
            LOG.info("Kafka broker secured: {} SCRAM users, {} ACLs, super user {}", security.users().size(),
                    security.acls().size(), security.superUser());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the broker's SCRAM users and ACLs: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the broker's SCRAM users and ACLs", e);
        }
    }

    private static boolean served(Admin admin, BrokerSecurity security, long deadline)
            throws ExecutionException, TimeoutException, InterruptedException {
        Collection<AclBinding> acls = admin.describeAcls(AclBindingFilter.ANY).values().get(left(deadline), TimeUnit.MILLISECONDS);
        if (!new HashSet<>(acls).containsAll(security.acls())) {
            return false;
        }
        if (security.users().isEmpty()) {
            return true;
        }
        List<UserScramCredentialsDescription> described = admin.describeUserScramCredentials().all()
                .get(left(deadline), TimeUnit.MILLISECONDS).values().stream().toList();
        Set<String> users = new HashSet<>();
        described.forEach(d -> users.add(d.name()));
        return users.containsAll(security.users().keySet());
    }

    private static long left(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
