DROP TABLE keyword_templates;
