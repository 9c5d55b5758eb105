namespace CrossDomain.Tests.Generator;

/// <summary>
/// A protocol made to reach every branch of the generator: every argument type, nullable string and
/// object, an untyped new_id, keyword and parameter-name clashes, since, destructors, and the XML
/// elements that must be skipped.
/// </summary>
internal static class GeneratorTestProtocol
{
    public const string FileName = "generator-test.xml";
    public const string SnapshotName = "generator-test";

    public const string Xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <protocol name="generator_test">
          <copyright>
            Copyright © 2025 nobody &amp; no one; the text exists only to be skipped.
          </copyright>
          <description summary="a protocol for the generator's tests">
            Longer text that the generator must ignore.
          </description>

          <interface name="test_everything" version="3">
            <description summary="every argument type &lt;at once&gt;"/>
            <enum name="mode">
              <description summary="enums do not affect the wire"/>
              <entry name="plain" value="0" summary="nothing special"/>
              <entry name="fancy" value="1"/>
            </enum>

            <request name="make" since="2">
              <description summary="all types in one request"/>
              <arg name="class" type="int" summary="a keyword as a name"/>
              <arg name="count" type="uint" enum="mode"/>
              <arg name="fixed" type="fixed"/>
              <arg name="label" type="string" allow-null="true"/>
              <arg name="title" type="string"/>
              <arg name="target" type="object" interface="test_child" allow-null="true"/>
              <arg name="child" type="new_id" interface="test_child"/>
              <arg name="fd" type="fd"/>
              <arg name="data" type="array"/>
            </request>

            <request name="bind_any">
              <arg name="object" type="object"/>
              <arg name="id" type="new_id" summary="untyped: interface and version travel with it"/>
            </request>

            <request name="destroy" type="destructor"/>

            <event name="notice" since="3">
              <arg name="object_id" type="object" interface="test_child"/>
              <arg name="message" type="string"/>
            </event>
          </interface>

          <interface name="test_child" version="1">
            <request name="release" type="destructor"/>
            <event name="done" type="destructor">
              <arg name="serial" type="uint"/>
            </event>
          </interface>
        </protocol>
        """;

    public const string TypedMessages = """
        # every typed shape the test protocol has
        test_everything.make
        test_everything.bind_any
        test_everything.notice   # an event, with names that clash with TryDecode's own
        test_child.release
        test_child.done
        """;
}
