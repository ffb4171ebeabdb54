FROM golang:1.22 AS tools
COPY bin/ /usr/local/bin/
CMD ["tool"]
FROM php:8.3-fpm AS fpm
COPY public/ /var/www/html/
FROM php:8.3-apache
COPY public/ /var/www/html/
