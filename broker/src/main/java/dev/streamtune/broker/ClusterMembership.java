package dev.streamtune.broker;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One node's place in a multi-node KRaft cluster: its id, the cluster's id (every node is formatted with the
 * same one) and the controller quorum, a voter per node ({@code node.id -> controller port}, all on the
 * broker's host). Each node runs broker and controller in one process, so a quorum of three survives the loss
 * of any one node.
 *
 * <p>Internal topics (consumer offsets, transaction state) get replication factor {@code min(3, nodes)} and
 * min ISR {@code factor - 1} (at least 1): on three nodes RF 3 and min ISR 2, so one node may die without
 * stopping a transactional writer or losing an acknowledged record.
 *
 * @param nodeId          this node's {@code node.id}, one of the voters
 * @param clusterId       the cluster id every node is formatted with (a base64 UUID, 22 characters)
 * @param controllerPorts every voter's controller port by node id
 */
public record ClusterMembership(int nodeId, String clusterId, Map<Integer, Integer> controllerPorts) {
    /** The largest quorum this is meant for; KRaft quorums are 3 or 5 in practice. */
    public static final int MAX_NODES = 9;

    public ClusterMembership {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(controllerPorts, "controllerPorts");
        if (clusterId.length() != 22) {
            throw new IllegalArgumentException("clusterId must be a base64 UUID of 22 characters, was '" + clusterId + "'");
        }
        if (controllerPorts.isEmpty() || controllerPorts.size() > MAX_NODES) {
            throw new IllegalArgumentException("controllerPorts must name 1 to " + MAX_NODES + " voters, got "
                    + controllerPorts.size());
        }
        controllerPorts.forEach((id, port) -> {
            if (id == null || id < 1 || port == null || port < 1 || port > 65_535) {
                throw new IllegalArgumentException("controllerPorts must map node ids >= 1 to ports 1..65535, got "
                        + id + "=" + port);
            }
        });
        if (!controllerPorts.containsKey(nodeId)) {
            throw new IllegalArgumentException("nodeId " + nodeId + " is not one of the voters " + controllerPorts.keySet());
        }
        controllerPorts = Map.copyOf(controllerPorts);
    }

    /** Parses voters as {@code 1=19093,2=19094,3=19095}. */
    public static Map<Integer, Integer> parseVoters(String text) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("voters must be id=port pairs separated by commas, got '" + part + "' in '" + text + "'");
            }
            try {
                out.put(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("voters must be id=port pairs of numbers, got '" + part + "'", e);
            }
        }
        return out;
    }

    /** {@code controller.quorum.voters}: {@code id@host:port,...} in node order. */
    String quorumVoters(String host) {
        return new TreeMap<>(controllerPorts).entrySet().stream()
                .map(e -> e.getKey() + "@" + host + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /** This node's controller port. */
    int controllerPort() {
        return controllerPorts.get(nodeId);
    }

    /** Replication factor of the internal topics. */
    int replicationFactor() {
        return Math.min(3, controllerPorts.size());
    }

    /** min.insync.replicas of the internal topics: one copy may be missing. */
    int minInsyncReplicas() {
        return Math.max(1, replicationFactor() - 1);
    }
}
