FROM php:8.2-apache
RUN apt-get update && apt-get install -y \
		libpng-dev \
		libzip-dev \
	&& rm -rf /var/lib/apt/lists/*
RUN docker-php-ext-install \
		gd \
		zip
