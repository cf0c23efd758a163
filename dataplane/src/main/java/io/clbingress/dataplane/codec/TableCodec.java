package io.clbingress.dataplane.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clbingress.dataplane.table.RoutingTable;

/** JSON form of the routing table, and its content hash. */
public final class TableCodec {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private TableCodec() {
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String toJson(RoutingTable table) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(table);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("routing table is not serialisable", e);
    }
  }

  public static RoutingTable fromJson(String json) {
    try {
      return MAPPER.readValue(json, RoutingTable.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a routing table: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * SHA-256 of the table's content: equal for equal listeners, clusters and certificates, whatever
   * the version ({@link ContentHasher}, which a publisher keeps to hash a series of tables cheaply).
   */
  public static String contentHash(RoutingTable table) {
    return new ContentHasher().hash(table);
  }

  /** The table as published: the given version and its content hash. */
  public static RoutingTable stamp(RoutingTable table, long version) {
    return table.withVersion(version, contentHash(table));
  }

}
