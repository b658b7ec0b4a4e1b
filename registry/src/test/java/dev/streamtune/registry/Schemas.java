package dev.streamtune.registry;

/** Avro schemas the registry tests register. */
final class Schemas {

    static final String USER_V1 = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"name","type":"string"}]}""";
    /** V1 plus a field with a default: backward and forward compatible with V1. */
    static final String USER_V2 = """
            {"type":"record","name":"User","namespace":"test","fields":[
              {"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";
    /** V1 plus a field without a default: not backward compatible (V3 cannot read V1 data). */
    static final String USER_WITH_REQUIRED_EMAIL = """
            {"type":"record","name":"User","namespace":"test","fields":[
              {"name":"name","type":"string"},{"name":"email","type":"string"}]}""";
    /** V1 without its only field: backward compatible, not forward compatible. */
    static final String USER_EMPTY = """
            {"type":"record","name":"User","namespace":"test","fields":[]}""";
    /** A name of type int with a default: reads USER_EMPTY data, not USER_V1 data. */
    static final String USER_NAME_AS_INT = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"name","type":"int","default":0}]}""";
    static final String ORDER = """
            {"type":"record","name":"Order","namespace":"test","fields":[{"name":"id","type":"long"}]}""";

    private Schemas() {
    }
}
