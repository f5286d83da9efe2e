"""The power list (权责清单): a unit's administrative powers, their processes
(权力运行流程图), their integrity risks (廉政风险点) and prevention measures."""
