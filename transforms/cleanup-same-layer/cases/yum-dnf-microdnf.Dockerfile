FROM centos:7 AS yum
RUN yum install -y httpd
RUN yum clean all
FROM fedora:40 AS dnf
RUN dnf install -y nginx && dnf clean all
RUN dnf -y upgrade
FROM registry.access.redhat.com/ubi9/ubi-minimal AS micro
RUN microdnf install -y tar gzip
