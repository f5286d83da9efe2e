"""The power list (权责清单): drafting versions, the 清权确权 review, reading the
list in force, its flowcharts and what the county sees of every unit."""
