FROM debian:%%SUITE%%
CMD ["bash"]
