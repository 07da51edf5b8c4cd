{# Schemas are named as interfaces.md says (marts, staging, ...), not <target>_<name>.
   On PostgreSQL the build writes the marts into `marts_build`: analysts read `marts`, which
   the publication fills from it in one transaction once the secondary suppression and the
   disclosure audit have passed (pipelines/warehouse/publish.py). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif target.type == 'postgres' and custom_schema_name | trim == 'marts' -%}marts_build
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
