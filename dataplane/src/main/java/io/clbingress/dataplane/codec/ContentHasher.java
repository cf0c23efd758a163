package io.clbingress.dataplane.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content hash of routing tables ({@link TableCodec#contentHash}): SHA-256 over the SHA-256 of
 * each part's JSON (every virtual host, cluster and certificate, and each listener without its
 * virtual hosts), in table order. One hasher used for a series of tables remembers the digests of the
 * last table's parts by identity (tables are immutable; a translation that takes over unchanged parts
 * of the previous table hands the same objects), so a table that shares all but a few parts with the
 * previous one costs a few serialisations, not the whole table's; the hash is the same as a fresh
 * hasher's. Not thread-safe.
 */
public final class ContentHasher {

  private static final byte LISTENER = 1;
  private static final byte VIRTUAL_HOST = 2;
  private static final byte CLUSTER = 3;
  private static final byte CERTIFICATE = 4;
  private static final byte DEFAULT_CERTIFICATE = 5;

  /** Digests of the parts of the last table hashed, by identity. */
  private Map<Object, byte[]> known = new IdentityHashMap<>();

  public String hash(RoutingTable table) {
    Map<Object, byte[]> digests = new IdentityHashMap<>();
    MessageDigest whole = sha256();
    for (Listener listener : table.listeners()) {
      whole.update(LISTENER);
      whole.update(digest(new Listener(listener.name(), listener.protocol(), listener.port(), List.of(),
          listener.defaultRoute(), listener.tls(), listener.clientLimits()), digests));
      for (VirtualHost vhost : listener.virtualHosts()) {
        whole.update(VIRTUAL_HOST);
        whole.update(digest(vhost, digests));
      }
    }
    for (Cluster cluster : table.clusters()) {
      whole.update(CLUSTER);
      whole.update(digest(cluster, digests));
    }
    for (Certificate certificate : table.certificates()) {
      whole.update(CERTIFICATE);
      whole.update(digest(certificate, digests));
    }
    if (table.defaultCertificate() != null) {
      whole.update(DEFAULT_CERTIFICATE);
      whole.update(table.defaultCertificate().getBytes(StandardCharsets.UTF_8));
    }
    known = digests;
    return HexFormat.of().formatHex(whole.digest());
  }

  private byte[] digest(Object part, Map<Object, byte[]> digests) {
    byte[] digest = known.get(part);
    if (digest == null) {
      try {
        digest = sha256().digest(TableCodec.mapper().writeValueAsBytes(part));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot hash routing table", e);
      }
    }
    digests.put(part, digest);
    return digest;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
