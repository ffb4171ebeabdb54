#!/bin/sh
echo building
mkdir -p /app/out
