DROP TABLE media_classifications;
