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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content hash of routing tables ({@link TableCodec#contentHash}): SHA-256 over the SHA-256 of
 * each part's JSON (every virtual host, cluster and certificate, and each listener without its
 * virtual hosts), in table order. One hasher used for a series of tables remembers the digests of
 * recent tables' parts by identity, at most about twice as many as the last table has (tables are
 * immutable; a translation that takes over unchanged parts of the previous table hands the same
 * objects), so a table that shares all but a few parts with the
 * previous one costs a few serialisations, not the whole table's; the hash is the same as a fresh
 * hasher's. Not thread-safe.
 */
public final class ContentHasher {

  private static final byte LISTENER = 1;
  private static final byte VIRTUAL_HOST = 2;
  private static final byte CLUSTER = 3;
  private static final byte CERTIFICATE = 4;
  private static final byte DEFAULT_CERTIFICATE = 5;

  /** Digests of the parts of the tables hashed, by identity: the last table's, and some replaced since. */
  private Map<Object, byte[]> known = new IdentityHashMap<>();
  /** Each listener of the last table without its virtual hosts, and that part's digest, by name. */
  private Map<String, Map.Entry<Listener, byte[]>> listenerSettings = new HashMap<>();
  private final MessageDigest parts = sha256();

  public String hash(RoutingTable table) {
    Map<String, Map.Entry<Listener, byte[]>> settings = new HashMap<>();
    int parts = 0;
    MessageDigest whole = sha256();
    for (Listener listener : table.listeners()) {
      whole.update(LISTENER);
      whole.update(settingsDigest(listener, settings));
      for (VirtualHost vhost : listener.virtualHosts()) {
        whole.update(VIRTUAL_HOST);
        whole.update(digest(vhost));
      }
      parts += listener.virtualHosts().size();
    }
    for (Cluster cluster : table.clusters()) {
      whole.update(CLUSTER);
      whole.update(digest(cluster));
    }
    for (Certificate certificate : table.certificates()) {
      whole.update(CERTIFICATE);
      whole.update(digest(certificate));
    }
    parts += table.clusters().size() + table.certificates().size();
    if (table.defaultCertificate() != null) {
      whole.update(DEFAULT_CERTIFICATE);
      whole.update(table.defaultCertificate().getBytes(StandardCharsets.UTF_8));
    }
    if (known.size() > 2 * parts + 64) {
      forgetAllBut(table);
    }
    listenerSettings = settings;
    return HexFormat.of().formatHex(whole.digest());
  }

  /** The digest of a listener's own settings (the listener without its virtual hosts). */
  private byte[] settingsDigest(Listener listener, Map<String, Map.Entry<Listener, byte[]>> settings) {
    Listener own = listener.settingsOnly();
    Map.Entry<Listener, byte[]> before = listenerSettings.get(listener.name());
    byte[] digest = before != null && before.getKey().equals(own) ? before.getValue() : serialisedDigest(own);
    settings.put(listener.name(), Map.entry(own, digest));
    return digest;
  }

  /** A part's digest: remembered from an earlier table (the very object), else computed and remembered. */
  private byte[] digest(Object part) {
    byte[] digest = known.get(part);
    if (digest == null) {
      digest = serialisedDigest(part);
      known.put(part, digest);
    }
    return digest;
  }

  /**
   * Keeps the digests of this table's parts only. Digests of replaced parts pile up between
   * calls; they are dropped once they outnumber the table's own, so that an unchanged part costs
   * one look-up per table rather than a copy into a new map.
   */
  private void forgetAllBut(RoutingTable table) {
    Map<Object, byte[]> kept = new IdentityHashMap<>(known.size() / 2);
    table.listeners().forEach(listener -> listener.virtualHosts().forEach(vhost -> kept.put(vhost, known.get(vhost))));
    table.clusters().forEach(cluster -> kept.put(cluster, known.get(cluster)));
    table.certificates().forEach(certificate -> kept.put(certificate, known.get(certificate)));
    known = kept;
  }

  private byte[] serialisedDigest(Object part) {
    try {
      return parts.digest(TableCodec.mapper().writeValueAsBytes(part));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot hash routing table", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
