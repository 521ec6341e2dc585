"""The figures of membership itself (rules.md §1, §5): joining age, probation, the appraisal share. Frozen here: a changed figure is a new row in a new migration."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [{'rule_id': 'member.min_join_age',
  'value': 18,
  'unit': 'years',
  'regulation': '中国共产党章程',
  'article': '第一条',
  'trust': 'V2',
  'effective_from': '1982-09-06',
  'note': '自1982年党章起各版一致（现行为2022年修订版）；更早的版本未录入，早于此日期的记录不按此条检查。年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子可以申请加入中国共产党'},
 {'rule_id': 'member.probation_months',
  'value': 12,
  'unit': 'months',
  'regulation': '中国共产党章程；中国共产党发展党员工作细则',
  'article': '党章第七条；细则第三十二条',
  'trust': 'V2',
  'effective_from': '1982-09-06',
  'note': '自1982年党章起各版一致（现行为2022年修订版）；更早的版本未录入，早于此日期的记录不按此条检查。预备期为一年，从支部大会通过之日算起'},
 {'rule_id': 'member.max_probation_extension_months',
  'value': 12,
  'unit': 'months',
  'regulation': '中国共产党发展党员工作细则',
  'article': '第三十二条',
  'trust': 'V1',
  'effective_from': '2014-06-10',
  'note': '延长预备期一次，不少于半年、最长不超过一年'},
 {'rule_id': 'appraisal.max_excellent_share',
  'value': {'numerator': 1, 'denominator': 3},
  'unit': 'share',
  'regulation': '中国共产党支部工作条例（试行）',
  'article': '第十八条',
  'trust': 'V2',
  'effective_from': '2018-10-28',
  'note': '民主评议党员，评定为“优秀”的一般不超过党员总数的1/3。'}]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("members", "0001_initial")]
    operations = [seed_rulebook(ROWS)]
