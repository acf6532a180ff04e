#!/usr/bin/env bash
# Builds this example against the Ember installed in ~/.m2 and runs it on the module path.
# Fails when it pulls in more than ember-core, ember-nn and their one dependency (gson), or when training fails.
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn -B -q package
jars=$(ls target/lib | sort | tr '\n' ' ')
echo "consumer: module path holds $jars"
for j in target/lib/*.jar; do
  case "$(basename "$j")" in ember-core-*|ember-nn-*|gson-*|error_prone_annotations-*) ;;
    *) echo "consumer: unexpected dependency $(basename "$j")" >&2; exit 1 ;;
  esac
done
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector \
  --module-path "target/classes:target/lib" -m dev.ember.example.consumer/dev.ember.example.consumer.Main
