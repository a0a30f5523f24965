DROP TABLE trust_data;
